// Parses each corpus entry with PostgreSQL's own parser (libpg_query) and prints what the differential test
// compares: the statement split, each statement's node type, the relations it names (with inh,
// relpersistence and whether the relation is a write target), CTE names, function calls and the few flags the
// expected kind depends on. Usage: node pg-truth.cjs <node_modules dir> <in.json> <out.ndjson>
// (one JSON object per line and entry, so the reader can stream a corpus of tens of thousands of entries).
const path = require('path');
const fs = require('fs');
const q = require(path.join(process.argv[2], 'libpg-query'));

const WRITE_KEYS = {
  InsertStmt: ['relation'], UpdateStmt: ['relation'], DeleteStmt: ['relation'], MergeStmt: ['relation'],
  CreateStmt: ['relation'], IntoClause: ['rel'], TruncateStmt: ['relations'], AlterTableStmt: ['relation'],
  IndexStmt: ['relation'], RefreshMatViewStmt: ['relation'], ViewStmt: ['view'], CreateTrigStmt: ['relation'],
  RuleStmt: ['relation'],
};

function node(v, parentType, key, acc, inWriteList) {
  if (Array.isArray(v)) {
    for (const n of v) node(n, parentType, key, acc, inWriteList);
    return;
  }
  if (v === null || typeof v !== 'object') return;
  const keys = Object.keys(v);
  if (keys.length === 1 && /^[A-Z]/.test(keys[0])) {
    visit(keys[0], v[keys[0]], parentType, key, acc, inWriteList);
  } else if ('relname' in v) {
    visit('RangeVar', v, parentType, key, acc, inWriteList);
  } else {
    // an embedded struct (IntoClause, ...): its fields belong to it
    const structType = key === 'intoClause' || key === 'into' ? 'IntoClause' : parentType;
    for (const k of keys) node(v[k], structType, k, acc, false);
  }
}

function visit(type, body, parentType, key, acc, inWriteList) {
  if (type === 'RangeVar') {
    const write = inWriteList || (WRITE_KEYS[parentType] || []).includes(key)
      || (parentType === 'CopyStmt' && key === 'relation' && acc.copyFrom);
    acc.relations.push({ schema: body.schemaname || null, name: body.relname, inh: !!body.inh,
      relpersistence: body.relpersistence, write: !!write });
    return;
  }
  if (type === 'CommonTableExpr') acc.ctes.push(body.ctename);
  if (type === 'FuncCall') acc.functions.push(body.funcname.map(s => s.String.sval).join('.'));
  if (type === 'A_Expr' && ['AEXPR_OP', 'AEXPR_OP_ANY', 'AEXPR_OP_ALL'].includes(body.kind) && body.name) {
    acc.operators.push(body.name.map(s => s.String.sval).join('.'));
  }
  if (type === 'CopyStmt') acc.copyFrom = !!body.is_from;
  for (const k of Object.keys(body)) {
    // FOR UPDATE OF x names an item of the FROM list (often an alias), not another relation
    if (type === 'LockingClause' && k === 'lockedRels') continue;
    const v = body[k];
    const writeList = Array.isArray(v) && (WRITE_KEYS[type] || []).includes(k);
    node(v, type, k, acc, writeList);
  }
}

(async () => {
  await q.loadModule();
  const input = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
  const fd = fs.openSync(process.argv[4] + '.part', 'w');
  for (const entry of input) {
    const bytes = Buffer.from(entry.sql, 'utf8');
    let result;
    try {
      const tree = q.parseSync(entry.sql);
      const stmts = (tree.stmts || []).map(s => {
        const loc = s.stmt_location || 0;
        const len = s.stmt_len || (bytes.length - loc);
        const type = Object.keys(s.stmt)[0];
        const acc = { relations: [], ctes: [], functions: [], operators: [], copyFrom: false };
        visit(type, s.stmt[type], null, null, acc, false);
        return { text: bytes.subarray(loc, loc + len).toString('utf8'), type, node: s.stmt[type],
          relations: acc.relations, ctes: acc.ctes, functions: acc.functions,
          operators: acc.operators };
      });
      result = { id: entry.id, ok: true, stmts };
    } catch (e) {
      result = { id: entry.id, ok: false, error: String(e.message || e) };
    }
    fs.writeSync(fd, JSON.stringify(result) + '\n');
  }
  fs.closeSync(fd);
  fs.renameSync(process.argv[4] + '.part', process.argv[4]);
})().catch(e => { console.error(e); process.exit(2); });
