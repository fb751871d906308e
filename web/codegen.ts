// GraphQL Code Generator: typed operations from the supergraph (`make generate`, `npm run generate`).
// Every graphql(`...`) document in the client and the apps is validated against
// ../schema/supergraph.graphql; one that no longer validates fails the generation.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../schema/supergraph.graphql',
  documents: ['packages/client/src/**/*.ts', 'apps/*/src/**/*.{ts,tsx}', '!packages/client/src/gql/**'],
  ignoreNoDocuments: false,
  errorsOnly: false,
  generates: {
    'packages/client/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { Int64: 'string', openfed__Scope: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: false,
      },
    },
  },
};
export default config;
