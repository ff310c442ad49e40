// The inkjs baseline of benchmarks/run.py's player loop.
//
//   node play.js STORY.ink RUNS MAX_STEPS SEED
//
// Compiles STORY.ink with inkjs's own compiler (once; the JSON is kept beside it as
// STORY.ink.json), loads it, then answers each line read on stdin with one timed round of RUNS
// random playthroughs of at most MAX_STEPS choices each (ContinueMaximally, then
// ChooseChoiceIndex among the choices offered), as one JSON line:
// {"steps": ..., "seconds": ..., "steps_per_s": ...}. The first round is a warm-up (the JIT).
// run.py writes a line, reads the answer, times its own engine, and so on, in alternation.
"use strict";
const fs = require("fs");
const path = require("path");
const readline = require("readline");
const { Compiler, Story } = require("inkjs/full");

function compiled(source) {
  const cached = source + ".json";
  if (fs.existsSync(cached) && fs.statSync(cached).mtimeMs >= fs.statSync(source).mtimeMs) {
    return { json: fs.readFileSync(cached, "utf8"), compileSeconds: 0 };
  }
  const start = process.hrtime.bigint();
  const compiler = new Compiler(fs.readFileSync(source, "utf8"));
  const story = compiler.Compile();
  if (compiler.errors.length) {
    throw new Error("ink errors: " + compiler.errors.slice(0, 5).join("; "));
  }
  const json = story.ToJson();
  fs.writeFileSync(cached, json);
  return { json, compileSeconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

// mulberry32: a small seeded generator, as Python's random.Random(seed) is in run.py
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function playthroughs(story, runs, maxSteps, seed) {
  const random = generator(seed);
  let steps = 0;
  let chars = 0;
  for (let run = 0; run < runs; run++) {
    story.ResetState();
    for (let step = 0; step < maxSteps; step++) {
      chars += story.ContinueMaximally().length; // the scene's text, as Game.view renders it
      const choices = story.currentChoices;
      if (choices.length === 0) break; // an ending
      story.ChooseChoiceIndex(Math.floor(random() * choices.length));
      steps++;
    }
  }
  return { steps, chars };
}

function main() {
  const [source, runs, maxSteps, seed] = process.argv.slice(2);
  const { json, compileSeconds } = compiled(source);
  const story = new Story(json);
  const version = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve("inkjs/full")), "..", "package.json"), "utf8")).version;
  const round = { n: 0 };
  const answer = () => {
    const start = process.hrtime.bigint();
    const { steps } = playthroughs(story, Number(runs), Number(maxSteps), Number(seed) + round.n++);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { steps, seconds, steps_per_s: steps / seconds, compile_s: compileSeconds, inkjs: version };
  };
  answer(); // warm-up
  process.stdout.write(JSON.stringify({ ready: true, compile_s: compileSeconds }) + "\n");
  const lines = readline.createInterface({ input: process.stdin });
  lines.on("line", () => process.stdout.write(JSON.stringify(answer()) + "\n"));
}

main();
