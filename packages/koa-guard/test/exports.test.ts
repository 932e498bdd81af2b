import * as api from '@guard-suite/koa-guard';

// The public names of koa-guard: adding one is a choice, removing or renaming one breaks users.
// Update the snapshot (jest -u) only together with the changelog entry that explains it.
it('exports exactly the documented public names', () => {
  expect(Object.keys(api).sort()).toMatchSnapshot();
});
