/* global module -- changesets loads this file with require() */
// CHANGELOG lines in the project's categories (STYLE.md: Added / Changed / Fixed / Security). A
// changeset's summary starts with its category: `Fixed: a busy port is one line, not a stack`.
const CATEGORIES = ['Added', 'Changed', 'Fixed', 'Security'];

async function getReleaseLine(changeset) {
  const [first = '', ...rest] = changeset.summary.trim().split('\n');
  const match = /^(\w+):\s*(.*)$/.exec(first);
  if (!match || !CATEGORIES.includes(match[1]))
    throw new Error(
      `.changeset/${changeset.id}.md: start the summary with ${CATEGORIES.join(':, ')}: (STYLE.md)`,
    );
  const body = [match[2], ...rest].join('\n  ').trimEnd();
  return `\n- **${match[1]}**: ${body}`;
}

// The three packages are released together (a fixed group): a dependency bump says nothing new.
async function getDependencyReleaseLine() {
  return '';
}

module.exports = { getReleaseLine, getDependencyReleaseLine };
