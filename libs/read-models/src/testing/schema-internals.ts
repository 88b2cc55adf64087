// For tests that check the read models' tables themselves (migrations, generation tables): the
// schema is not part of the lib's public surface, so it is reached through its testing helpers.
export { generationTables, MIGRATIONS } from '../store/schema';
