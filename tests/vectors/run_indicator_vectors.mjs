// Runs the shared indicator vectors through the phone's engine, the very file the PWA loads,
// and prints what it returns as JSON: [{name, results, income} | {name, error}], one entry per
// case. tests/survey/test_indicator_vectors.py compares that with the Python engine's results.
//
//   node tests/vectors/run_indicator_vectors.mjs <vectors.json> <questionnaire.json>...
//
// Each questionnaire file is the JSON that GET /api/v1/questionnaires/{id} serves; see
// tests/vectors/generate_indicator_vectors.py for the vectors.
import { readFileSync } from "node:fs";
import { register } from "node:module";

const STATIC = new URL("../../survey/pwa/static/", import.meta.url).href;

// The phone's modules are plain .js files with ES syntax and no package.json "type": load
// them as ES modules whatever this Node version's default.
register(`data:text/javascript,${encodeURIComponent(`
  export function load(url, context, next) {
    return next(url, url.startsWith(${JSON.stringify(STATIC)}) ? { ...context, format: "module" } : context);
  }`)}`);

const engine = await import(`${STATIC}indicators.js`);
const [vectorsPath, ...questionnairePaths] = process.argv.slice(2);
const readJson = (path) => JSON.parse(readFileSync(path, "utf-8"));
const questionnaires = Object.fromEntries(questionnairePaths.map(readJson).map((q) => [q.id, q]));

// A vector may replace some questions' fields, to reach texts no real question has.
function questionnaire({ version, question_changes: changes = {} }) {
  const q = questionnaires[version];
  return { ...q, questions: q.questions.map((x) => ({ ...x, ...changes[x.id] })) };
}

function run(vector) {
  const q = questionnaire(vector);
  const results = engine.evaluate(q, vector.household, {
    asOf: new Date(`${vector.as_of}T00:00:00Z`), incomeLine: vector.income_line });
  const income = {
    household_income: engine.householdIncome(q, vector.household),
    household_expense: engine.householdExpense(q, vector.household),
    income_per_person: engine.incomePerPerson(q, vector.household),
  };
  return { name: vector.name, results, income };
}

const output = readJson(vectorsPath).map((vector) => {
  try {
    return run(vector);
  } catch (error) {
    return { name: vector.name, error: String(error?.stack ?? error) };
  }
});
process.stdout.write(JSON.stringify(output));
