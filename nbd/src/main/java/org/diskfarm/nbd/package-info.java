/**
 * The NetworkBlockDevice protocol (fixed newstyle, the nbd project's doc/proto.md): wire records and the server.
 */
package org.diskfarm.nbd;
