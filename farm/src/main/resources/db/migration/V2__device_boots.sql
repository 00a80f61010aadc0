-- When each device last booted (its boot event: the fetch of its boot script, or the API call). A server holding a
-- Standard-mode write cache made before this time drops it, so a device's cache starts empty at every boot whichever
-- server it then connects to.
ALTER TABLE devices ADD COLUMN booted_at BIGINT;
