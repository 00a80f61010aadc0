/**
 * iSCSI (RFC 7143): the target server, its sessions and connections. The API: {@link org.diskfarm.iscsi.IscsiServer},
 * {@link org.diskfarm.iscsi.IscsiTargets}, {@link org.diskfarm.iscsi.IscsiTargetOpener}; SCSI itself is in
 * {@link org.diskfarm.iscsi.scsi}.
 *
 * <p>Inside: {@code Pdu} and {@code PduCodec} (PDUs, padding, CRC32C digests), {@code TextKeys}, {@code Chap} and
 * {@code LoginNegotiation} (the login phase without I/O, with {@code LoginSecurity} for AuthMethod and CHAP and
 * {@code OperationalKeys} for the keys of section 13), {@code IscsiConnection} (the Netty handler of one socket:
 * login, StatSN, NOP-In pings), {@code SessionTable} (TSIHs, reinstatement, one logical unit per target) and
 * {@code IscsiSession} with {@code IscsiTask} (full feature phase: logout, asynchronous messages, and the session's
 * parts {@code CmdSnWindow}, {@code CommandIntake}, {@code DataOutReceiver}, {@code TaskScheduler},
 * {@code DataInSender}, {@code TaskManagement} and {@code TextExchange}).
 */
package org.diskfarm.iscsi;
