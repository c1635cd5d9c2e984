/**
 * Synthesizes both examples, each into a folder of its own under dist/examples/, held to the same policy
 * checks as every app: `npx tsx examples/synth.ts`, then `npx cdk8s-devops apply dist/examples/<name>`.
 */
import { DevOpsApp } from '../lib/devops-app.js';
import { BankOfAnthos } from './bank-of-anthos/bank-of-anthos.js';
import { OnlineBoutique } from './online-boutique/online-boutique.js';

const onlineBoutique = new DevOpsApp({ publishDir: 'dist/examples/online-boutique' });
new OnlineBoutique(onlineBoutique, 'online-boutique', { namespace: 'online-boutique' });
onlineBoutique.synth();

const bankOfAnthos = new DevOpsApp({ publishDir: 'dist/examples/bank-of-anthos' });
new BankOfAnthos(bankOfAnthos, 'bank-of-anthos', { namespace: 'bank-of-anthos' });
bankOfAnthos.synth();
