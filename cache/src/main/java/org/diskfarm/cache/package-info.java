/**
 * Write caches: overlays that keep a Standard-mode device's writes over a read-only base that many devices share.
 */
package org.diskfarm.cache;
