/**
 * Every relative link of README.md and docs/ leads to a file that exists and, with an anchor, to a heading
 * of that file (GitHub's anchors, made by github-slugger), so that moving a section cannot strand a link.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';
import { PROJECT_ROOT } from '../util/project.js';

const PAGES = [
  join(PROJECT_ROOT, 'README.md'),
  ...readdirSync(join(PROJECT_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(PROJECT_ROOT, 'docs', f)),
];

/** The page's lines outside fenced code blocks. */
function prose(page: string): string[] {
  let fenced = false;
  return readFileSync(page, 'utf8')
    .split('\n')
    .filter((line) => {
      if (line.trimStart().startsWith('```')) {
        fenced = !fenced;
        return false;
      }
      return !fenced;
    });
}

function anchors(page: string): Set<string> {
  const slugger = new GithubSlugger();
  return new Set(
    prose(page)
      .map((line) => /^#+ (.*)$/.exec(line)?.[1])
      .filter((heading) => heading !== undefined)
      .map((heading) => slugger.slug(heading)),
  );
}

function brokenLinks(page: string): string[] {
  const links = prose(page).flatMap((line) => [...line.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]));
  return links
    .filter((link) => !/^[a-z]+:/.test(link))
    .filter((link) => {
      const [path, anchor] = link.split('#');
      const target = path ? resolve(dirname(page), path) : page;
      if (!existsSync(target)) {
        return true;
      }
      return anchor !== undefined && target.endsWith('.md') && !anchors(target).has(anchor);
    })
    .map((link) => `${relative(PROJECT_ROOT, page)}: ${link}`);
}

test('every relative link of README.md and docs/ leads to an existing file and heading', () => {
  expect(PAGES.length).toBeGreaterThan(10);
  expect(PAGES.flatMap(brokenLinks)).toEqual([]);
});

test('a link to a missing heading is found', () => {
  expect(anchors(join(PROJECT_ROOT, 'docs', 'client.md'))).toContain('what-the-client-guarantees');
  expect(anchors(join(PROJECT_ROOT, 'docs', 'client.md'))).not.toContain('speed');
});
