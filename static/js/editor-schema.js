// Schema completion for the scenario editor: where the cursor is in the YAML (a path of keys
// and list items, read from the indentation of the lines above it), and what the scenario's
// JSON Schema (game_content/scenario.schema.json) allows there: the keys of that mapping, or
// the values of that key when the schema lists them (enum, const, examples, true/false).
//
// Pure functions over plain text and the schema, so they work without an editor and are
// tested in the browser as they are.

const ITEM = "[]"; // a path step into a list item

// Leading spaces, then any "- " list markers, then a plain key followed by ":".
const LINE = /^( *)((?:-[ \t]+)*)(.*)$/;
const KEY = /^([A-Za-z0-9_$][\w$.-]*)[ \t]*:(?:[ \t]|$)/;

/** A line's parts: the column of each list marker, and its key (if any) with its column. */
export function lineParts(line) {
  const [, spaces, dashes, rest] = LINE.exec(line);
  const anchors = [];
  let col = spaces.length;
  for (const marker of dashes.match(/-[ \t]+/g) || []) {
    anchors.push({ col, item: true });
    col += marker.length;
  }
  const key = KEY.exec(rest);
  if (key) anchors.push({ col, key: key[1] });
  const blank = rest.trim() === "" || rest.trimStart().startsWith("#");
  return { indent: spaces.length, keyCol: col, anchors, key: key ? key[1] : null, rest, blank: blank && !dashes };
}

/**
 * The path of the mapping (or list) that holds column `col` of line `row`, from the lines
 * above: each line's key or list marker left of the column is a step outwards.
 */
function pathAbove(lines, row, col) {
  const path = [];
  let target = col;
  for (let i = row - 1; i >= 0 && target > 0; i--) {
    const parts = lineParts(lines[i]);
    if (parts.blank || parts.indent > target) continue;
    for (let a = parts.anchors.length - 1; a >= 0; a--) {
      const anchor = parts.anchors[a];
      if (anchor.col < target) {
        path.push(anchor.item ? ITEM : anchor.key);
        target = anchor.col;
      }
    }
  }
  return path.reverse();
}

/** The keys already written in the mapping whose keys start at column `col` (not on `row`). */
function siblingKeys(lines, row, col) {
  const found = new Set();
  const marked = (parts) => parts.anchors.some((a) => a.item);
  for (let i = row - 1; i >= 0; i--) {
    const parts = lineParts(lines[i]);
    if (parts.blank || parts.indent > col) continue;
    if (parts.keyCol !== col || !parts.key) break; // further out: the mapping starts below it
    found.add(parts.key);
    if (marked(parts)) break; // "- key:" opens this list item's mapping
  }
  for (let i = row + 1; i < lines.length; i++) {
    const parts = lineParts(lines[i]);
    if (parts.blank || parts.indent > col) continue;
    if (marked(parts) || parts.keyCol !== col || !parts.key) break; // the next item, or further out
    found.add(parts.key);
  }
  return found;
}

/**
 * What is being written at the cursor: a key of a mapping, or the value of a key (or of a
 * list item), with the path to it and the word typed so far.
 */
export function cursorContext(text, line, ch) {
  const lines = text.split("\n");
  const before = (lines[line] || "").slice(0, ch);
  const parts = lineParts(before);
  if (/[{}[\]"'#|>]/.test(parts.rest.replace(/^[^:]*:\s*/, "")) && parts.key) return null; // flow, quoted, block text
  if (parts.key) {
    // After "key: ": its value.
    const value = parts.rest.slice(parts.rest.indexOf(":") + 1);
    const word = value.trimStart();
    if (/\s/.test(word)) return null;
    const items = parts.anchors.filter((a) => a.item).map(() => ITEM);
    return {
      kind: "value",
      path: [...pathAbove(lines, line, parts.anchors[0].col), ...items, parts.key],
      word,
      from: ch - word.length,
    };
  }
  const word = parts.rest;
  if (!/^[\w$.-]*$/.test(word)) return null;
  const outer = parts.anchors.length ? parts.anchors[0].col : parts.keyCol;
  const items = parts.anchors.map(() => ITEM);
  const path = [...pathAbove(lines, line, outer), ...items];
  // "- wor": a list item that may be a value (a list of words) or a key (a list of mappings).
  return {
    kind: "key",
    path,
    word,
    from: ch - word.length,
    present: parts.anchors.length ? new Set() : siblingKeys(lines, line, parts.keyCol),
  };
}

// --- the schema ------------------------------------------------------------------------------

function resolve(schema, node) {
  let current = node;
  for (let guard = 0; current && current.$ref && guard < 20; guard++) {
    const pointer = current.$ref.replace(/^#\//, "").split("/");
    current = pointer.reduce((at, part) => (at ? at[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined), schema);
  }
  return current || {};
}

/** A node and its alternatives (anyOf, oneOf, allOf), each resolved. */
function variants(schema, node) {
  const out = [];
  const visit = (n, depth) => {
    const r = resolve(schema, n);
    if (depth > 8) return;
    const alternatives = [...(r.anyOf || []), ...(r.oneOf || []), ...(r.allOf || [])];
    if (alternatives.length) alternatives.forEach((a) => visit(a, depth + 1));
    out.push(r);
  };
  visit(node, 0);
  return out;
}

/** The schema nodes that describe what is at `path`. */
export function nodesAt(schema, path) {
  let nodes = [schema];
  for (const step of path) {
    const next = [];
    for (const node of nodes) {
      for (const v of variants(schema, node)) {
        if (step === ITEM) {
          if (v.items) next.push(v.items);
        } else if (v.properties && v.properties[step]) next.push(v.properties[step]);
        else if (v.patternProperties) {
          for (const [pattern, sub] of Object.entries(v.patternProperties)) {
            if (new RegExp(pattern).test(step)) next.push(sub);
          }
        } else if (v.additionalProperties && typeof v.additionalProperties === "object") {
          next.push(v.additionalProperties);
        }
      }
    }
    nodes = next;
    if (!nodes.length) return [];
  }
  return nodes;
}

function describe(node) {
  const text = node.description || node.title || "";
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** The keys the mapping at `path` may have: [{name, required, about}]. */
export function keysAt(schema, path) {
  const keys = new Map();
  for (const node of nodesAt(schema, path)) {
    for (const v of variants(schema, node)) {
      const required = new Set(v.required || []);
      for (const [name, sub] of Object.entries(v.properties || {})) {
        if (!keys.has(name)) keys.set(name, { name, required: required.has(name), about: describe(resolve(schema, sub)) });
      }
    }
  }
  return [...keys.values()];
}

/** The values the schema names for what is at `path` (enum, const, examples, booleans). */
export function valuesAt(schema, path) {
  const values = [];
  const add = (v) => {
    const text = typeof v === "string" ? v : JSON.stringify(v);
    if (!values.includes(text)) values.push(text);
  };
  for (const node of nodesAt(schema, path)) {
    for (const v of variants(schema, node)) {
      (v.enum || []).forEach(add);
      if ("const" in v) add(v.const);
      (v.examples || []).forEach(add);
      if (v.type === "boolean") [true, false].forEach(add);
    }
  }
  return values;
}

/** Whether a key's value is written on the lines below it (a mapping or a list). */
function opensBlock(schema, path) {
  const nodes = nodesAt(schema, path).flatMap((n) => variants(schema, n));
  return nodes.length > 0 && nodes.every((v) => v.type === "object" || v.type === "array");
}

/**
 * Completions at the cursor: {from, list: [{text, label, about}]}, or null when the schema
 * has nothing to offer there.
 */
export function completions(schema, text, line, ch) {
  const at = cursorContext(text, line, ch);
  if (!at) return null;
  const prefix = at.word.toLowerCase();
  let list = [];
  if (at.kind === "key") {
    list = keysAt(schema, at.path)
      .filter((k) => !at.present.has(k.name) && k.name.toLowerCase().startsWith(prefix))
      .sort((a, b) => Number(b.required) - Number(a.required) || a.name.localeCompare(b.name))
      .map((k) => ({ text: opensBlock(schema, [...at.path, k.name]) ? `${k.name}:` : `${k.name}: `, label: k.name, about: k.about, required: k.required }));
    if (!list.length && at.path.at(-1) === ITEM) {
      // A list of words, not of mappings: its values.
      list = valuesAt(schema, at.path)
        .filter((v) => v.toLowerCase().startsWith(prefix))
        .map((v) => ({ text: v, label: v, about: "" }));
    }
  } else {
    list = valuesAt(schema, at.path)
      .filter((v) => v.toLowerCase().startsWith(prefix))
      .map((v) => ({ text: v, label: v, about: "" }));
  }
  return list.length ? { from: at.from, to: ch, list } : null;
}
