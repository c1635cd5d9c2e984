/**
 * The one place the library names its cdk8s-plus version: moving to a newer cdk8s-plus is a change to
 * this file alone. Everything else imports `plus` from here.
 */
export * from 'cdk8s-plus-27';
