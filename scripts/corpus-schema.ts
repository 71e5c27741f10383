/**
 * Writes corpus/schema.json, the JSON Schema of a corpus entry, from src/corpus/schema.ts (the
 * schema the loader applies). `npm run corpus:schema`; test/badinput/schema.test.ts keeps it in sync.
 */
import { writeFileSync } from 'node:fs';
import { corpusJsonSchemaText } from '../src/corpus/schema.ts';

writeFileSync('corpus/schema.json', corpusJsonSchemaText());
console.log('wrote corpus/schema.json');
