// A fresh PostgreSQL database per test file, dropped afterwards, so suites never see each other's rows.
// The helper lives in harness/provision (benches use it too); tests keep their names for it.
export {
  createScratchDatabase as createTestDatabase,
  type ScratchDatabase as TestDatabase,
} from '../../harness/provision/scratch-database.ts';
