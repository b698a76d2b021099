/** GitHub has no REST blame; GraphQL's `Commit.blame(path)` answers with line ranges per commit. */

export const BLAME_QUERY = `query($owner: String!, $name: String!, $expression: String!, $path: String!) {
  repository(owner: $owner, name: $name) {
    object(expression: $expression) {
      ... on Commit {
        blame(path: $path) {
          ranges {
            startingLine
            endingLine
            commit { oid messageHeadline authoredDate author { name email date } }
          }
        }
      }
    }
  }
}`;

export interface BlameResponse {
  repository: {
    object: {
      blame?: {
        ranges: Array<{
          startingLine: number;
          endingLine: number;
          commit: {
            oid: string;
            messageHeadline?: string;
            authoredDate?: string;
            author?: { name?: string; email?: string; date?: string } | null;
          };
        }>;
      } | null;
    } | null;
  } | null;
}
