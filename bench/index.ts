/** `npm run bench [runs]`: every benchmark, printed as Markdown tables of ratios against a baseline. */
import { benchApply } from './apply.js';
import { benchSynth } from './synth.js';

const runs = Number(process.argv[2] ?? 5);
console.log(await benchSynth(runs));
console.log();
console.log(await benchApply(runs));
