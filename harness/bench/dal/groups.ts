// Every path group bench:dal knows, in the order they run. A group's name is the prefix of its
// path ids (`--paths objects.` selects one group, `--paths objects.get-4k` one path).
import type { PathGroupSpec } from './path.ts';
import { redisGroup } from './redis.ts';
import { postgresGroup } from './postgres.ts';
import { timeSeriesGroup } from './time-series.ts';
import { outboxGroup } from './outbox.ts';
import { documentsGroup } from './documents.ts';
import { objectsGroup } from './objects.ts';
import { serveGroup } from './serve.ts';

export const PATH_GROUPS: readonly PathGroupSpec[] = [
  redisGroup,
  postgresGroup,
  timeSeriesGroup,
  outboxGroup,
  documentsGroup,
  objectsGroup,
  serveGroup,
];
