/**
 * The JSON shapes of man 1's JSON OUTPUT section: read from the page's source, parsed,
 * and checked against what a command printed. The notation is the page's own:
 * `string`, `time`, `number`, `boolean`, `null`, `map`, `[T]`, `A|B`, `{name: T,
 * name?: T, ...Shared, ...}` and the names of shared shapes.
 */

export type Shape =
  | { kind: 'string' | 'time' | 'number' | 'boolean' | 'null' | 'map' }
  | { kind: 'array'; of: Shape }
  | { kind: 'union'; of: Shape[] }
  | { kind: 'object'; fields: Map<string, { shape: Shape; optional: boolean }>; open: boolean };

const PRIMITIVES = new Set(['string', 'time', 'number', 'boolean', 'null', 'map']);

/** ISO 8601 in UTC, as `Date.prototype.toISOString` writes it (milliseconds optional). */
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

/** Parses one shape; `shared` holds the shapes named so far. */
export function parseShape(text: string, shared: Readonly<Record<string, Shape>>): Shape {
  const tokens = text.match(/\.\.\.|[{}[\]:,|?]|[A-Za-z_][A-Za-z0-9_-]*|\S/g) ?? [];
  let at = 0;
  const peek = (): string | undefined => tokens[at];
  const take = (expected?: string): string => {
    const token = tokens[at++];
    if (token === undefined || (expected !== undefined && token !== expected)) throw new Error(`shape ${JSON.stringify(text)}: expected ${expected ?? 'more'} at token ${at}, got ${token ?? 'the end'}`);
    return token;
  };
  const named = (name: string): Shape => {
    if (PRIMITIVES.has(name)) return { kind: name } as Shape;
    const found = shared[name];
    if (!found) throw new Error(`shape ${JSON.stringify(text)}: no shape named ${name}`);
    return found;
  };
  const single = (): Shape => {
    const token = take();
    if (token === '[') {
      const of = union();
      take(']');
      return { kind: 'array', of };
    }
    if (token !== '{') return named(token);
    const fields = new Map<string, { shape: Shape; optional: boolean }>();
    let open = false;
    while (peek() !== '}') {
      if (peek() === '...') {
        take();
        if (peek() === ',' || peek() === '}') open = true;
        else {
          const spread = named(take());
          if (spread.kind !== 'object') throw new Error(`shape ${JSON.stringify(text)}: spreads a shape that is not an object`);
          for (const [name, field] of spread.fields) fields.set(name, field);
          open ||= spread.open;
        }
      } else {
        const name = take();
        const optional = peek() === '?';
        if (optional) take();
        take(':');
        fields.set(name, { shape: union(), optional });
      }
      if (peek() === ',') take();
    }
    take('}');
    return { kind: 'object', fields, open };
  };
  const union = (): Shape => {
    const of = [single()];
    while (peek() === '|') {
      take();
      of.push(single());
    }
    return of.length === 1 ? of[0]! : { kind: 'union', of };
  };
  const shape = union();
  if (at !== tokens.length) throw new Error(`shape ${JSON.stringify(text)}: unexpected ${tokens[at]}`);
  return shape;
}

/** Each entry of the JSON OUTPUT section of a man page's source: `.TP`, `.B name`, the shape. */
export function parseManShapes(source: string): Record<string, Shape> {
  const section = /^\.SH JSON OUTPUT\n([\s\S]*?)^\.SH /m.exec(source)?.[1];
  if (section === undefined) throw new Error('the page has no JSON OUTPUT section');
  const unescape = (text: string): string => text.replace(/\\-/g, '-').replace(/^"|"$/g, '');
  const lines = section.split('\n');
  const shapes: Record<string, Shape> = {};
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '.TP' || !lines[i + 1]?.startsWith('.B ')) continue;
    const name = unescape(lines[i + 1]!.slice(3).trim());
    const text: string[] = [];
    for (i += 2; i < lines.length && !lines[i]!.startsWith('.'); i++) text.push(unescape(lines[i]!));
    i--;
    if (name in shapes) throw new Error(`two shapes named ${name}`);
    shapes[name] = parseShape(text.join(' '), shapes);
  }
  return shapes;
}

/** The kind a field's type is, for the one-vocabulary rule: null and optionality aside, a map is an object. */
function kindOf(shape: Shape): string {
  if (shape.kind === 'union') return [...new Set(shape.of.filter((s) => s.kind !== 'null').map(kindOf))].sort().join('|');
  return shape.kind === 'map' ? 'object' : shape.kind;
}

/** Every field name of every shape (nested ones too), with the kinds it is given. */
export function fieldKinds(shapes: Readonly<Record<string, Shape>>): Map<string, Set<string>> {
  const kinds = new Map<string, Set<string>>();
  const walk = (shape: Shape): void => {
    if (shape.kind === 'array') walk(shape.of);
    else if (shape.kind === 'union') shape.of.forEach(walk);
    else if (shape.kind === 'object') {
      for (const [name, field] of shape.fields) {
        kinds.set(name, (kinds.get(name) ?? new Set()).add(kindOf(field.shape)));
        walk(field.shape);
      }
    }
  };
  Object.values(shapes).forEach(walk);
  return kinds;
}

const describe = (shape: Shape): string =>
  shape.kind === 'union' ? shape.of.map(describe).join('|') : shape.kind === 'array' ? `[${describe(shape.of)}]` : shape.kind === 'object' ? 'an object' : shape.kind === 'time' ? 'a time' : `a ${shape.kind}`;

/** What in `value` does not fit `shape`, one message per place (`$.logs[0].file: missing`); none when it fits. */
export function checkShape(value: unknown, shape: Shape, path = '$'): string[] {
  const wrong = [`${path}: ${JSON.stringify(value)} is not ${describe(shape)}`];
  switch (shape.kind) {
    case 'string':
      return typeof value === 'string' ? [] : wrong;
    case 'time':
      return typeof value === 'string' && UTC_TIME.test(value) && !Number.isNaN(Date.parse(value)) ? [] : wrong;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? [] : wrong;
    case 'boolean':
      return typeof value === 'boolean' ? [] : wrong;
    case 'null':
      return value === null ? [] : wrong;
    case 'map':
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? [] : wrong;
    case 'array':
      return Array.isArray(value) ? value.flatMap((item, i) => checkShape(item, shape.of, `${path}[${i}]`)) : wrong;
    case 'union':
      return shape.of.some((s) => checkShape(value, s, path).length === 0) ? [] : wrong;
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return wrong;
      const record = value as Record<string, unknown>;
      const problems: string[] = [];
      for (const [name, field] of shape.fields) {
        if (!(name in record)) {
          if (!field.optional) problems.push(`${path}.${name}: missing`);
        } else problems.push(...checkShape(record[name], field.shape, `${path}.${name}`));
      }
      if (!shape.open) for (const name of Object.keys(record)) if (!shape.fields.has(name)) problems.push(`${path}.${name}: not in the shape`);
      return problems;
    }
  }
}
