@_spi(AmberInternals) import AmberObjects

// What happens at run time when a class body executes: the class is created,
// and each method is bound with its field offsets and super targets fixed.

import AmberBytecode

/// Built-in classes that scripts may not subclass (their objects are not instances).
enum BuiltinKind: Int, CaseIterable {
    case none = 0, bool, classObj, fiber, fn, list, map, null, num, range, string
}

extension VM {
    /// Creates a class from the `class` instruction's operands; nil with an error set.
    func defineClass(name: Value, superclass: Value, numFields: Int, module: ObjRef, isForeign: Bool = false) -> ObjRef? {
        let nameText = string(name)
        guard superclass.isObject, heap.kind(superclass.ref) == .classObj else {
            _ = fail("Class '\(nameText)' cannot inherit from a non-class object.")
            return nil
        }
        let sup = superclass.ref
        if heap[sup, ClassLayout.builtin].number != 0 {
            _ = fail("Class '\(nameText)' cannot inherit from built-in class '\(className(sup))'.")
            return nil
        }
        if isForeign {
            // Instances are the host's bytes (ForeignLayout), allocated by the
            // native bound under "module.Class.<allocate>".
            if self.numFields(sup) > 0 {
                _ = fail("Foreign class '\(nameText)' may not inherit from a class with fields.")
                return nil
            }
            let moduleText = moduleName(module) ?? "core"
            let allocatorName = "\(moduleText).\(nameText).<allocate>"
            let allocator = hostForeignClassID(module: moduleName(module), className: nameText)
                ?? nativeID(allocatorName)
            if let allocator, !config.bindings.classes.isEmpty { noteHostFinalizer(allocatorName, id: allocator) }
            // A host binding the way Wren's C API does may leave a class without
            // an allocator, as Wren allows: constructing one is the error then.
            if allocator == nil && config.hostHooks.bindClass == nil {
                _ = fail("Could not find foreign class '\(nameText)' in module '\(moduleText)'.")
                return nil
            }
            let c = newClass(name: nameText, superclass: sup, numFields: 0)
            heap[c, ClassLayout.allocator] = allocator.map { Value($0) } ?? .false   // false: foreign, no allocator
            if hooks.isEnabled(.classLoad) {
                hooks.fire(.classLoad, self, HookPayload(moduleName: moduleName(module), className: nameText))
            }
            return c
        }
        if !heap[sup, ClassLayout.allocator].isNull {
            _ = fail("Class '\(nameText)' cannot inherit from foreign class '\(className(sup))'.")
            return nil
        }
        let total = numFields + self.numFields(sup)
        if total > ClassLayout.maxFields {
            _ = fail("Class '\(nameText)' may not have more than \(ClassLayout.maxFields) fields, including inherited ones.")
            return nil
        }
        let c = newClass(name: nameText, superclass: sup, numFields: total)
        if hooks.isEnabled(.classLoad) {
            hooks.fire(.classLoad, self, HookPayload(moduleName: moduleName(module), className: nameText))
        }
        return c
    }

    /// Binds a method created by a class body. `method` is a closure, or a String
    /// naming a foreign method. Field operands are shifted past the superclass's
    /// fields and super calls are pointed at the superclass.
    func bindScriptMethod(_ target: ObjRef, _ symbol: Int, _ method: Value, classForFields cls: ObjRef,
                          module: ObjRef) -> Bool {
        if isString(method) {
            let sig = string(method)
            let hostName = moduleName(module).map {
                ForeignMethodName(module: $0, className: className(cls), isStatic: target != cls, signature: sig)
            }
            let module = moduleName(module) ?? "core"
            let key = "\(module).\(className(cls)).\(target == cls ? "" : "static ")\(sig)"
            guard let id = hostName.flatMap(hostForeignMethodID) ?? nativeID(key) else {
                let hint = foreignMethodHint(module: module, className: className(cls), isStatic: target != cls, signature: sig)
                return fail("Could not find foreign method '\(sig)' for class \(className(cls)) in module '\(module)'."
                            + (hint.map { " " + $0 } ?? ""))
            }
            bindMethod(target, symbol, Value(id))
            return true
        }
        let sup = superclass(cls)
        let offset = sup.isNone ? 0 : numFields(sup)
        patchMethodCode(closureFn(method.ref), fieldOffset: offset, superclass: sup, isStatic: target != cls)
        bindMethod(target, symbol, method)
        return true
    }

    /// Walks a function's bytecode (and the functions nested in it) fixing
    /// field indices and super-call targets. The walk and the operands come
    /// from the instruction table: this acts on operand kinds (`.field`,
    /// `.superclass`, `.function`), whatever the opcode that carries them.
    func patchMethodCode(_ fn: ObjRef, fieldOffset: Int, superclass: ObjRef, isStatic: Bool) {
        let codeObj = heap[fn, FnLayout.code].ref
        let code = bytesPointer(codeObj).assumingMemoryBound(to: UInt8.self)
        let constants = arrayElements(heap[fn, FnLayout.constants].ref)
        let superTarget = superclass.isNone ? Value.null : (isStatic ? heap.classOf(superclass) : superclass).value
        let error = Instruction.walk(UnsafeBufferPointer(start: code, count: bytesLength(codeObj)),
                                     upvalueCount: { self.fnUpvalueCount(constants[$0].ref) }) { instruction in
            let info = instruction.op.info
            for i in 0..<info.operandCount {
                switch info.operand(i)! {
                case .field:
                    // A u8: fields are limited to 255 with the inherited ones (defineClass).
                    let at = instruction.offset + info.operandOffset(i)
                    code[at] = UInt8(truncatingIfNeeded: Int(code[at]) + fieldOffset)
                case .superclass:
                    self.heap.store(superTarget, at: constants + instruction.operand(i))
                case .function:
                    self.patchMethodCode(constants[instruction.operand(i)].ref, fieldOffset: fieldOffset,
                                         superclass: superclass, isStatic: isStatic)
                default:
                    break
                }
            }
        }
        assert(error == nil, "unreadable code in \(fnName(fn)): \(error.map { "\($0)" } ?? "")")
    }

    /// Fires the method-entry hook when the called method is one being
    /// watched. `cls` is where the call looked the method up: the receiver's
    /// class, or for a `super` call the superclass. Returns false if a
    /// listener raised an error.
    func methodEntryCheck(_ closure: ObjRef, _ cls: ObjRef, receiver: Value, _ symbol: Int) -> Bool {
        guard watchedMethods.contains(symbol) else { return true }
        hooks.fire(.methodEntry, self, HookPayload(moduleName: nil,
                                                  className: className(definingClass(of: closure, from: cls, symbol)),
                                                  methodSignature: symbolNames[symbol],
                                                  receiverClassName: className(classOf(receiver))))
        return !hasError
    }

    /// The class that defines `closure` as its method `symbol`, starting at
    /// `cls`. A subclass copies its superclass's methods into its own table,
    /// so the definer is the highest class up the chain still holding it.
    func definingClass(of closure: ObjRef, from cls: ObjRef, _ symbol: Int) -> ObjRef {
        var definer = cls
        while true {
            let up = heap[definer, ClassLayout.superclass]
            guard up.isObject, method(up.ref, symbol).bits == closure.value.bits else { return definer }
            definer = up.ref
        }
    }
}
