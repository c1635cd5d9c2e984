import type { KnownDifference } from '../differences.js';

/** Where the port of Bank of Anthos differs from upstream/*.yaml, and why. */
export const BANK_OF_ANTHOS_DIFFERENCES: readonly KnownDifference[] = [
  {
    fields:
      /^Deployment\/(balancereader|contacts|frontend|ledgerwriter|transactionhistory) containers\[0\] ports$/,
    kind: 'deliberate',
    why: 'the library declares the port a workload serves on its container; upstream leaves it out and the Service targets 8080 anyway',
  },
  {
    fields: /^Deployment\/userservice containers\[0\] ports$/,
    kind: 'deliberate',
    why: 'a port is named once, for the container and every Service; upstream names the user service\'s container port "http-server" and its Service port "http", and the port keeps the Service\'s',
  },
  {
    fields: /^StatefulSet\/(accounts|ledger)-db containers\[0\] ports$/,
    kind: 'deliberate',
    why: 'a port is named once, on the container, and the name is carried to every Service; upstream names the Service port "tcp" and leaves the container port unnamed',
  },
  {
    fields: /^StatefulSet\/(accounts|ledger)-db containers\[0\] volumeMounts$/,
    kind: 'deliberate',
    why: 'Postgres runs as its own user under a read-only root, so it writes its socket and temporary files to emptyDirs at /var/run/postgresql and /tmp',
  },
];
