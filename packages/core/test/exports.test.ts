import * as api from '@guard-suite/core';

// The public names of guard-core: adding one is a choice, removing or renaming one breaks users.
// Update the snapshot (jest -u) only together with the changelog entry that explains it.
it('exports exactly the documented public names', () => {
  expect(Object.keys(api).sort()).toMatchSnapshot();
});
