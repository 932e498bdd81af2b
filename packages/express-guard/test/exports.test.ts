import * as api from '@guard-suite/express-guard';

// The public names of express-guard: adding one is a choice, removing or renaming one breaks users.
// Update the snapshot (jest -u) only together with the changelog entry that explains it.
it('exports exactly the documented public names', () => {
  expect(Object.keys(api).sort()).toMatchSnapshot();
});
