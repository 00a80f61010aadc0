package org.diskfarm.nbd;

/**
 * The outcome of a successful handshake: the export chosen and everything the transmission phase must honour.
 *
 * @param export            the export, as looked up when the client chose it
 * @param transmissionFlags the flags sent to the client
 * @param structuredReplies the client negotiated structured replies: READ and BLOCK_STATUS answer with chunks
 * @param baseAllocation    {@code base:allocation} was selected for this export: BLOCK_STATUS is allowed
 * @param noZeroes          the client set NO_ZEROES (of no further use; kept for logs)
 */
public record NbdNegotiated(NbdExportInfo export, int transmissionFlags, boolean structuredReplies,
        boolean baseAllocation, boolean noZeroes) {

    /** The metadata context id this server gives {@code base:allocation}. */
    public static final int BASE_ALLOCATION_ID = 1;

    public static final String BASE_ALLOCATION = "base:allocation";
}
