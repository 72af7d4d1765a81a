// Reads [{"name": "...", "card": {...}}, ...] as JSON on stdin and writes
// [{"name": "...", "issues": ["..."]}, ...] on stdout: every parse event the official adaptivecards
// library logs, plus every validation event of validateProperties(). An empty list means clean.
"use strict";

// The package's "main" is ES modules with extension-less imports that Node cannot load; the
// UMD bundle in dist/ is the same library the browser uses, and parsing needs no DOM.
const AdaptiveCards = require("adaptivecards/dist/adaptivecards.js");

function eventName(code) {
  return AdaptiveCards.ValidationEvent[code] ?? String(code);
}

function check(cardJson) {
  const issues = [];
  const context = new AdaptiveCards.SerializationContext();
  const card = new AdaptiveCards.AdaptiveCard();
  card.parse(cardJson, context);
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    issues.push(`parse ${eventName(e.event)}: ${e.message}`);
  }
  const results = card.validateProperties();
  for (const e of results.validationEvents) {
    issues.push(`validate ${eventName(e.event)}: ${e.message}`);
  }
  return issues;
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const cards = JSON.parse(input);
  const report = cards.map(({ name, card }) => {
    try {
      return { name, issues: check(card) };
    } catch (error) {
      return { name, issues: [`exception: ${error && error.stack ? error.stack : error}`] };
    }
  });
  process.stdout.write(JSON.stringify(report));
});
