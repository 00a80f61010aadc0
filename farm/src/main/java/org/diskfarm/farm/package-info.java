/**
 * The farm control plane: who the target devices are and which vDisk each gets. Today a file in the data folder;
 * the farm database, membership, balancing and failover come here later. No sockets, no protocols.
 */
package org.diskfarm.farm;
