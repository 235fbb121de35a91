package dev.vdisk.inspect;

/**
 * A Windows servicing package from {@code Component Based Servicing\Packages}.
 *
 * @param id the package identity (the key name, for example
 *     {@code Package_for_KB5034441~31bf3856ad364e35~amd64~~19041.3920.1.1})
 * @param kb the KB number parsed from the identity ({@code KB5034441}), or null
 * @param state the CBS state named ({@code installed}, {@code staged}, {@code install-pending},
 *     {@code uninstall-pending}, {@code superseded}, {@code absent}, ...; {@code unknown-0xNN}
 *     for an unnamed code)
 * @param stateCode the {@code CurrentState} value
 * @param installed whether the state counts as installed (0x70 installed and 0x80 permanent;
 *     0x20 resolved and 0x40 staged are not)
 */
public record InstalledUpdate(String id, String kb, String state, int stateCode,
    boolean installed) {}
