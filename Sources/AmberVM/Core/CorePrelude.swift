@_spi(AmberInternals) import AmberObjects

/// The core library's Wren half: classes and the methods written in Wren.
/// Native methods are bound onto these classes by Core/*.swift after this runs.
let corePreludeSource = #"""
// Object and Class are created natively before this runs. Classes are declared
// so that every superclass exists before its subclasses. A native bound later
// with the same signature replaces the Wren method defined here.

// Everything on these is native.
class Bool {}
class Fiber {}
class Fn {}
class Null {}
class Num {}

// Base class for anything implementing the iterator protocol: `iterate(_)`
// takes the previous iterator (null to start) and returns the next one, or
// false when done; `iteratorValue(_)` returns the element an iterator denotes.
class Sequence {
  // Returns the first falsy predicate result, else the last result (true if
  // the sequence is empty).
  all(predicate) {
    var result = true
    for (element in this) {
      result = predicate.call(element)
      if (!result) return result
    }
    return result
  }

  // Returns the first truthy predicate result, else the last result (false
  // if the sequence is empty).
  any(predicate) {
    var result = false
    for (element in this) {
      result = predicate.call(element)
      if (result) return result
    }
    return result
  }

  contains(element) {
    for (item in this) {
      if (element == item) return true
    }
    return false
  }

  count {
    var result = 0
    for (element in this) result = result + 1
    return result
  }

  count(predicate) {
    var result = 0
    for (element in this) {
      if (predicate.call(element)) result = result + 1
    }
    return result
  }

  each(function) {
    for (element in this) function.call(element)
  }

  // Only asks for the first iterator, so this works on infinite sequences.
  isEmpty { iterate(null) ? false : true }

  map(transformation) { MapSequence.new(this, transformation) }

  skip(count) {
    if (!(count is Num) || !count.isInteger || count < 0) {
      Fiber.abort("Count must be a non-negative integer.")
    }
    return SkipSequence.new(this, count)
  }

  take(count) {
    if (!(count is Num) || !count.isInteger || count < 0) {
      Fiber.abort("Count must be a non-negative integer.")
    }
    return TakeSequence.new(this, count)
  }

  where(predicate) { WhereSequence.new(this, predicate) }

  reduce(function) {
    var iterator = iterate(null)
    if (!iterator) Fiber.abort("Can't reduce an empty sequence.")

    var result = iteratorValue(iterator)
    iterator = iterate(iterator)
    while (iterator) {
      result = function.call(result, iteratorValue(iterator))
      iterator = iterate(iterator)
    }
    return result
  }

  reduce(seed, function) {
    var result = seed
    for (element in this) result = function.call(result, element)
    return result
  }

  join() { join("") }

  // String interpolation compiles to a list's join(), so this must not use
  // interpolation itself. Concatenating with `+` also makes a non-string
  // separator or toString result fail with String's own error.
  join(separator) {
    var result = ""
    var first = true
    for (element in this) {
      if (!first) result = result + separator
      first = false
      result = result + element.toString
    }
    return result
  }

  toList {
    var result = List.new()
    for (element in this) result.add(element)
    return result
  }
}

// The lazy sequences returned by map(_), skip(_), take(_) and where(_). Each
// keeps a reference to the original sequence and works on demand.

class MapSequence is Sequence {
  construct new(sequence, transformation) {
    _sequence = sequence
    _transformation = transformation
  }

  iterate(iterator) { _sequence.iterate(iterator) }
  iteratorValue(iterator) { _transformation.call(_sequence.iteratorValue(iterator)) }
}

// Uses the original sequence's iterators; the first step jumps past the
// skipped elements.
class SkipSequence is Sequence {
  construct new(sequence, count) {
    _sequence = sequence
    _count = count
  }

  iterate(iterator) {
    if (iterator != null) return _sequence.iterate(iterator)

    iterator = _sequence.iterate(null)
    var remaining = _count
    while (iterator && remaining > 0) {
      iterator = _sequence.iterate(iterator)
      remaining = remaining - 1
    }
    return iterator
  }

  iteratorValue(iterator) { _sequence.iteratorValue(iterator) }
}

// An iterator here is [original iterator, number of elements taken], so the
// sequence holds no iteration state and several loops can share it. The
// original sequence is not advanced past the last taken element.
class TakeSequence is Sequence {
  construct new(sequence, count) {
    _sequence = sequence
    _count = count
  }

  iterate(iterator) {
    var taken = iterator == null ? 0 : iterator[1]
    if (taken >= _count) return false

    var inner = _sequence.iterate(iterator == null ? null : iterator[0])
    return inner ? [inner, taken + 1] : false
  }

  iteratorValue(iterator) { _sequence.iteratorValue(iterator[0]) }
}

class WhereSequence is Sequence {
  construct new(sequence, predicate) {
    _sequence = sequence
    _predicate = predicate
  }

  // Advances to the next element that passes the predicate.
  iterate(iterator) {
    iterator = _sequence.iterate(iterator)
    while (iterator && !_predicate.call(_sequence.iteratorValue(iterator))) {
      iterator = _sequence.iterate(iterator)
    }
    return iterator
  }

  iteratorValue(iterator) { _sequence.iteratorValue(iterator) }
}

// Indexes and offsets are in bytes; iteration is by code point.
class String is Sequence {
  bytes { StringByteSequence.new(this) }
  codePoints { StringCodePointSequence.new(this) }

  split(delimiter) {
    if (!(delimiter is String) || delimiter.byteCount_ == 0) {
      Fiber.abort("Delimiter must be a non-empty string.")
    }

    var result = []
    var start = 0
    var end = byteCount_
    // indexOf(_, _) rejects a start at the very end, so stop searching there;
    // the (possibly empty) remainder is always the last piece.
    while (start < end) {
      var index = indexOf(delimiter, start)
      if (index == -1) break
      result.add(this[start...index])
      start = index + delimiter.byteCount_
    }
    result.add(this[start...end])
    return result
  }

  replace(from, to) {
    if (!(from is String) || from.byteCount_ == 0) {
      Fiber.abort("From must be a non-empty string.")
    }
    if (!(to is String)) Fiber.abort("To must be a string.")

    return split(from).join(to)
  }

  trim() { trim_(" \t\r\n", true, true) }
  trim(chars) { trim_(chars, true, true) }
  trimEnd() { trim_(" \t\r\n", false, true) }
  trimEnd(chars) { trim_(chars, false, true) }
  trimStart() { trim_(" \t\r\n", true, false) }
  trimStart(chars) { trim_(chars, true, false) }

  // Removes the code points in `chars` from the start and/or end. There is no
  // backwards iteration, so one forward pass finds the byte offset where the
  // first kept code point begins and where the last kept one ends.
  trim_(chars, atStart, atEnd) {
    if (!(chars is String)) Fiber.abort("Characters must be a string.")

    var strip = chars.toList
    var first = null
    var last = 0
    var iterator = iterate(null)
    while (iterator) {
      var next = iterate(iterator)
      if (!strip.contains(iteratorValue(iterator))) {
        if (first == null) first = iterator
        last = next ? next : byteCount_
        if (!atEnd) break
      }
      iterator = next
    }

    // Nothing but stripped code points (or an empty string).
    if (first == null) return ""
    return this[(atStart ? first : 0)...(atEnd ? last : byteCount_)]
  }

  // Repeated doubling keeps this linear in the length of the result.
  *(count) {
    if (!(count is Num) || !count.isInteger || count < 0) {
      Fiber.abort("Count must be a non-negative integer.")
    }

    var result = ""
    var piece = this
    var remaining = count
    while (remaining > 0) {
      if (remaining % 2 == 1) result = result + piece
      remaining = (remaining / 2).floor
      if (remaining > 0) piece = piece + piece
    }
    return result
  }
}

// Iterators and indexes are byte offsets into the string.
class StringByteSequence is Sequence {
  construct new(string) { _string = string }

  [index] { _string.byteAt_(index) }
  count { _string.byteCount_ }

  iterate(iterator) { _string.iterateByte_(iterator) }
  iteratorValue(iterator) { _string.byteAt_(iterator) }
}

// Iterates like the string itself but yields code points as numbers.
class StringCodePointSequence is Sequence {
  construct new(string) { _string = string }

  [index] { _string.codePointAt_(index) }
  count { _string.count }

  iterate(iterator) { _string.iterate(iterator) }
  iteratorValue(iterator) { _string.codePointAt_(iterator) }
}

class List is Sequence {
  addAll(other) {
    for (element in other) add(element)
    return other
  }

  remove(value) {
    var index = indexOf(value)
    return index == -1 ? null : removeAt(index)
  }

  sort() { sort {|a, b| a < b } }

  sort(comparer) {
    if (!(comparer is Fn)) Fiber.abort("Comparer must be a function.")
    sortRange_(0, count - 1, comparer)
    return this
  }

  // Quicksort of the elements from `low` to `high` inclusive, using a
  // three-way partition around the middle element. The partition that holds
  // the pivot is never revisited, so even an inconsistent comparer terminates.
  // Recursing only into the smaller side keeps the depth logarithmic.
  sortRange_(low, high, comparer) {
    while (low < high) {
      swap(low, ((low + high) / 2).floor)
      var pivot = this[low]

      // [low, less) come before the pivot, [less, i) are level with it,
      // (greater, high] come after it, and [i, greater] are not yet seen.
      var less = low
      var i = low + 1
      var greater = high
      while (i <= greater) {
        var element = this[i]
        if (comparer.call(element, pivot)) {
          swap(less, i)
          less = less + 1
          i = i + 1
        } else if (comparer.call(pivot, element)) {
          swap(i, greater)
          greater = greater - 1
        } else {
          i = i + 1
        }
      }

      if (less - low < high - greater) {
        sortRange_(low, less - 1, comparer)
        low = greater + 1
      } else {
        sortRange_(greater + 1, high, comparer)
        high = less - 1
      }
    }
  }

  toString { "[" + join(", ") + "]" }

  +(other) {
    var result = List.new()
    result.addAll(this)
    result.addAll(other)
    return result
  }

  *(count) {
    if (!(count is Num) || !count.isInteger || count < 0) {
      Fiber.abort("Count must be a non-negative integer.")
    }

    var result = List.new()
    for (i in 0...count) result.addAll(this)
    return result
  }
}

class Map is Sequence {
  keys { MapKeySequence.new(this) }
  values { MapValueSequence.new(this) }

  // Iterating a map itself yields its entries.
  iteratorValue(iterator) {
    return MapEntry.new(keyIteratorValue_(iterator), valueIteratorValue_(iterator))
  }

  toString { "{" + map {|entry| "%(entry.key): %(entry.value)" }.join(", ") + "}" }
}

class MapKeySequence is Sequence {
  construct new(map) { _map = map }

  count { _map.count }
  iterate(iterator) { _map.iterate(iterator) }
  iteratorValue(iterator) { _map.keyIteratorValue_(iterator) }
}

class MapValueSequence is Sequence {
  construct new(map) { _map = map }

  count { _map.count }
  iterate(iterator) { _map.iterate(iterator) }
  iteratorValue(iterator) { _map.valueIteratorValue_(iterator) }
}

class MapEntry {
  construct new(key, value) {
    _key = key
    _value = value
  }

  key { _key }
  value { _value }

  toString { "%(_key):%(_value)" }
}

class Range is Sequence {}

// All output goes through the native writeString_(_).
class System {
  static print() {
    writeString_("\n")
  }

  static print(object) {
    writeObject_(object)
    writeString_("\n")
    return object
  }

  static printAll(sequence) {
    for (object in sequence) writeObject_(object)
    writeString_("\n")
  }

  static write(object) {
    writeObject_(object)
    return object
  }

  static writeAll(sequence) {
    for (object in sequence) writeObject_(object)
  }

  // Used by the REPL to echo the value of an expression.
  static replIgnore_(value) { value }
  static printReplValue_(value) {
    print(value)
  }

  static writeObject_(object) {
    var string = object.toString
    writeString_(string is String ? string : "[invalid toString]")
  }
}

// What Class.attributes returns for a class with runtime attributes. `self`
// holds the class's own attributes and `methods` maps method signatures to
// theirs; each is a map from group name (null when ungrouped) to a map from
// key to a list of values, or null when there are none.
class ClassAttributes {
  construct new(attributes, methods) {
    _attributes = attributes
    _methods = methods
  }

  self { _attributes }
  methods { _methods }

  toString { "attributes:%(_attributes) methods:%(_methods)" }
}
"""#
