// The ADR-024 stack as containers; the same images as docker-compose.yml.
export const DOCKER_IMAGES = {
  timescaledb: 'timescale/timescaledb:2.17.2-pg17',
  redis: 'redis:7.4-alpine',
  elasticsearch: 'docker.elastic.co/elasticsearch/elasticsearch:9.2.4',
  minio: 'minio/minio:RELEASE.2025-04-22T22-12-26Z',
} as const;

export const SESSION_LABEL = 'dalbench.session';
