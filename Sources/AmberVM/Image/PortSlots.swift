@_spi(AmberInternals) import AmberObjects

// The port library's slot table in the root block (ARCHITECTURE.md, "The port library and natives by name").
//
// `Root.portSlots` maps each slot name to the name of the implementation the
// VM had there. It is written when a VM is made and again just before every
// snapshot, so an image records the implementations in use; a restore binds
// each slot again by that name (`PortLibrary.rebind`).

extension VM {
    /// Writes slot name -> implementation name into the root block.
    func recordPortSlots() {
        let table = newMap()
        for (slot, implementation) in zip(PortLibrary.slotNames, port.implementationNames) {
            mapSet(table, newString(slot).value, newString(implementation).value)
        }
        setRoot(.portSlots, table.value)
    }

    /// After a restore: binds every slot the image recorded to the
    /// implementation of the same name (the configuration's, or `system`).
    /// Throws naming every slot whose implementation this process lacks.
    /// Returns "slot=implementation" for each slot re-bound.
    func rebindPortSlots(path: String) throws(ImageError) -> [String] {
        let table = root(.portSlots)
        guard table.isObject, heap.kind(table.ref) == .map else {
            throw ImageError("Image '\(path)' is corrupted (no port slot table).")
        }
        var rebound: [String] = []
        var missing: [String] = []
        for i in 0..<mapCapacity(table.ref) {
            guard let (k, v) = mapEntry(table.ref, i), isValidString(k), isValidString(v) else { continue }
            let slot = string(k), implementation = string(v)
            if port.rebind(slot: slot, to: implementation) {
                rebound.append("\(slot)=\(implementation)")
            } else if PortLibrary.slotNames.contains(slot) {
                missing.append("slot '\(slot)' needs implementation '\(implementation)'")
            } else {
                missing.append("slot '\(slot)' does not exist in this build")
            }
        }
        if !missing.isEmpty {
            throw ImageError("Image '\(path)' needs port implementations this process does not provide: "
                             + missing.joined(separator: "; ") + ". Supply them in VMConfiguration.port.")
        }
        // Slots the image did not know (a newer build) keep this process's implementation.
        recordPortSlots()
        return rebound.sorted()
    }
}
