/** Placeholder until the module's issue lands. */
package dev.attest.scheduler;
