/**
 * Network boot: the services a diskless machine meets before its disk exists. {@code tftp}: a read-only TFTP server
 * for the iPXE binaries; {@code dhcp}: proxy DHCP that adds boot information to the offers of the network's own DHCP
 * server; and the iPXE boot scripts that send a device to its vDisk. The module knows no vDisk and no farm: it asks
 * through interfaces it declares, which the server implements.
 */
package org.diskfarm.boot;
