import type { Redis } from 'ioredis';

/** Lua scripts by name, each with how many of its arguments are keys. */
export type LuaScripts = Readonly<Record<string, readonly [lua: string, numberOfKeys: number]>>;

/**
 * Defines a store's scripts on its connection and answers how to run one. Each is sent once and
 * then called by its digest (ioredis defineCommand: EVALSHA, and EVAL again only when Redis
 * answers NOSCRIPT, after a restart or a SCRIPT FLUSH). `namespace` keeps two stores' scripts of
 * the same name apart on one connection.
 */
export function defineScripts<Scripts extends LuaScripts>(redis: Redis, namespace: string, scripts: Scripts) {
  for (const [name, [lua, numberOfKeys]] of Object.entries(scripts)) {
    redis.defineCommand(`${namespace}_${name}`, { lua, numberOfKeys });
  }
  const commands = redis as unknown as Record<string, (...words: string[]) => Promise<unknown>>;
  return (script: keyof Scripts & string, keys: readonly string[], args: readonly (string | number)[]) =>
    commands[`${namespace}_${script}`]!(...keys, ...args.map(String));
}
