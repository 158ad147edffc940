import { NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { useValidationRule } from './use-validation-rule.js';

/** Refuses introspection (INTROSPECTION=off): production clients ship their operations, they need no schema. */
export function useNoIntrospection(): Plugin {
  return useValidationRule(NoSchemaIntrospectionCustomRule);
}
