/** The input the built-ins with a `github` step share: which GitHub API their steps call. */
import type { RunbookDefinitionInput } from '../../../../shared/model/runbook';

export const GITHUB_API_INPUT: NonNullable<RunbookDefinitionInput['inputs']>[number] = {
  name: 'githubApi',
  label: 'GitHub API',
  help: "GitHub Enterprise's API root (https://github.example.com/api/v3); api.github.com when left out.",
};
