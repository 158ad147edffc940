import type { ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Adds a validation rule to every operation, over HTTP and websockets alike. */
export function useValidationRule(rule: ValidationRule): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}
