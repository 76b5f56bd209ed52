/** Where the files sink lands: the `files` section of the configuration. */
import Type, { type Static } from 'typebox';

export const FILE_FORMATS = ['parquet', 'jsonl'] as const;

export const FilesConnectionSchema = Type.Object(
  {
    /** The lake's root folder; relative to the project root unless absolute. */
    dir: Type.String({ minLength: 1, default: 'lake' }),
    format: Type.Enum([...FILE_FORMATS], {
      default: 'parquet',
      description: 'Parquet (typed columns) or JSON lines; dead letters are always JSON lines',
    }),
  },
  { additionalProperties: false, default: {} },
);

export type FilesConnection = Static<typeof FilesConnectionSchema>;
