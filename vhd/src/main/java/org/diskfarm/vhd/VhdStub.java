package org.diskfarm.vhd;

abstract non-sealed class VhdStub extends VhdDevice {
}
