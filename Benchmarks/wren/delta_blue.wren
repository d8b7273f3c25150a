// DeltaBlue: an incremental dataflow constraint solver (Freeman-Benson,
// Maloney and Borning). Variables are related by constraints that each have a
// strength; the planner keeps the set of satisfied constraints such that no
// weaker constraint is satisfied at the expense of a stronger one, and
// extracts plans (ordered lists of constraints) that recompute values when an
// input changes. Measures an object-heavy, polymorphic program: many small
// classes, inheritance and super calls, getters and setters, and list work.
//
// Two tests are run many times:
//   chain      - a chain of variables joined by equality constraints, with an
//                edit constraint at one end and a stay constraint at the other;
//                changing the first must propagate to the last.
//   projection - pairs of variables related by scale/offset constraints;
//                editing either side, the scale or the offset must update the
//                other side.

// ----------------------------------------------------------------- strengths

// A constraint strength. Lower values are stronger; REQUIRED constraints
// must always be satisfied.
class Strength {
  construct new(value, name) {
    _value = value
    _name = name
  }

  value { _value }
  name { _name }

  nextWeaker { Strengths[_value + 1] }

  static stronger(a, b) { a.value < b.value }
  static weaker(a, b) { a.value > b.value }
  static weakestOf(a, b) { weaker(a, b) ? a : b }
  static strongestOf(a, b) { stronger(a, b) ? a : b }

  toString { _name }
}

var REQUIRED = Strength.new(0, "required")
var STRONG_PREFERRED = Strength.new(1, "strongPreferred")
var PREFERRED = Strength.new(2, "preferred")
var STRONG_DEFAULT = Strength.new(3, "strongDefault")
var NORMAL = Strength.new(4, "normal")
var WEAK_DEFAULT = Strength.new(5, "weakDefault")
var WEAKEST = Strength.new(6, "weakest")

var Strengths = [
  REQUIRED, STRONG_PREFERRED, PREFERRED, STRONG_DEFAULT,
  NORMAL, WEAK_DEFAULT, WEAKEST
]

// Directions in which a binary constraint can be enforced.
var NONE = 0
var FORWARD = 1   // v1 -> v2
var BACKWARD = 2  // v2 -> v1

// The planner that constraints register with as they are created. Each test
// installs a fresh one.
var ThePlanner = null

// --------------------------------------------------------------- constraints

// The abstract base of all constraints.
class Constraint {
  construct new(strength) {
    _strength = strength
  }

  strength { _strength }

  // Only edit constraints are inputs.
  isInput { false }

  // Hooks this constraint into the graph and satisfies it if possible.
  addConstraint() {
    addToGraph()
    ThePlanner.incrementalAdd(this)
  }

  // Tries to satisfy this constraint with the given mark. Returns the
  // constraint it had to override (which is now unsatisfied), or null.
  satisfy(mark) {
    chooseMethod(mark)
    if (!isSatisfied) {
      if (_strength == REQUIRED) {
        Fiber.abort("Could not satisfy a required constraint.")
      }
      return null
    }

    markInputs(mark)
    var out = output
    var overridden = out.determinedBy
    if (overridden != null) overridden.markUnsatisfied()
    out.determinedBy = this
    if (!ThePlanner.addPropagate(this, mark)) {
      Fiber.abort("Cycle encountered.")
    }
    out.mark = mark
    return overridden
  }

  destroyConstraint() {
    if (isSatisfied) {
      ThePlanner.incrementalRemove(this)
    } else {
      removeFromGraph()
    }
  }
}

// A constraint on a single variable.
class UnaryConstraint is Constraint {
  construct new(variable, strength) {
    super(strength)
    _output = variable
    _satisfied = false
    addConstraint()
  }

  addToGraph() {
    _output.addConstraint(this)
    _satisfied = false
  }

  removeFromGraph() {
    if (_output != null) _output.removeConstraint(this)
    _satisfied = false
  }

  // Satisfiable when the variable is not already determined in this pass and
  // this constraint is stronger than what currently determines it.
  chooseMethod(mark) {
    _satisfied = _output.mark != mark &&
        Strength.stronger(strength, _output.walkStrength)
  }

  isSatisfied { _satisfied }
  markUnsatisfied() { _satisfied = false }

  markInputs(mark) {}
  inputsKnown(mark) { true }

  output { _output }

  recalculate() {
    _output.walkStrength = strength
    _output.stay = !isInput
    if (_output.stay) execute()
  }
}

// Keeps a variable at its current value ("it should stay where it is").
class StayConstraint is UnaryConstraint {
  construct new(variable, strength) {
    super(variable, strength)
  }

  execute() {}
}

// Marks a variable as changed by the outside world.
class EditConstraint is UnaryConstraint {
  construct new(variable, strength) {
    super(variable, strength)
  }

  isInput { true }

  execute() {}
}

// A constraint between two variables that can be enforced in either
// direction.
class BinaryConstraint is Constraint {
  construct new(v1, v2, strength) {
    super(strength)
    _v1 = v1
    _v2 = v2
    _direction = NONE
    addConstraint()
  }

  v1 { _v1 }
  v2 { _v2 }
  direction { _direction }

  addToGraph() {
    _v1.addConstraint(this)
    _v2.addConstraint(this)
    _direction = NONE
  }

  removeFromGraph() {
    if (_v1 != null) _v1.removeConstraint(this)
    if (_v2 != null) _v2.removeConstraint(this)
    _direction = NONE
  }

  // Picks the direction to enforce: towards an unmarked variable if one end
  // is already marked in this pass, otherwise towards the weaker end, and
  // only if this constraint is stronger than what it would override.
  chooseMethod(mark) {
    if (_v1.mark == mark) {
      if (_v2.mark != mark && Strength.stronger(strength, _v2.walkStrength)) {
        _direction = FORWARD
      } else {
        _direction = NONE
      }
      return
    }

    if (_v2.mark == mark) {
      if (_v1.mark != mark && Strength.stronger(strength, _v1.walkStrength)) {
        _direction = BACKWARD
      } else {
        _direction = NONE
      }
      return
    }

    if (Strength.weaker(_v1.walkStrength, _v2.walkStrength)) {
      _direction = Strength.stronger(strength, _v1.walkStrength) ? BACKWARD : NONE
    } else {
      _direction = Strength.stronger(strength, _v2.walkStrength) ? FORWARD : NONE
    }
  }

  isSatisfied { _direction != NONE }
  markUnsatisfied() { _direction = NONE }

  input { _direction == FORWARD ? _v1 : _v2 }
  output { _direction == FORWARD ? _v2 : _v1 }

  markInputs(mark) { input.mark = mark }

  inputsKnown(mark) {
    var source = input
    return source.mark == mark || source.stay || source.determinedBy == null
  }

  recalculate() {
    var source = input
    var target = output
    target.walkStrength = Strength.weakestOf(strength, source.walkStrength)
    target.stay = source.stay
    if (target.stay) execute()
  }
}

// v2 = v1 * scale + offset (with scale and offset held in variables).
class ScaleConstraint is BinaryConstraint {
  construct new(source, scale, offset, destination, strength) {
    // Set before the superclass constructor adds the constraint to the
    // graph, which calls addToGraph() below.
    _scale = scale
    _offset = offset
    super(source, destination, strength)
  }

  addToGraph() {
    super.addToGraph()
    _scale.addConstraint(this)
    _offset.addConstraint(this)
  }

  removeFromGraph() {
    super.removeFromGraph()
    if (_scale != null) _scale.removeConstraint(this)
    if (_offset != null) _offset.removeConstraint(this)
  }

  markInputs(mark) {
    super.markInputs(mark)
    _scale.mark = mark
    _offset.mark = mark
  }

  execute() {
    if (direction == FORWARD) {
      v2.value = v1.value * _scale.value + _offset.value
    } else {
      v1.value = (v2.value - _offset.value) / _scale.value
    }
  }

  recalculate() {
    var source = input
    var target = output
    target.walkStrength = Strength.weakestOf(strength, source.walkStrength)
    target.stay = source.stay && _scale.stay && _offset.stay
    if (target.stay) execute()
  }
}

// v1 == v2.
class EqualityConstraint is BinaryConstraint {
  construct new(v1, v2, strength) {
    super(v1, v2, strength)
  }

  execute() {
    if (direction == FORWARD) {
      v2.value = v1.value
    } else {
      v1.value = v2.value
    }
  }
}

// ----------------------------------------------------------------- variables

class Variable {
  construct new(name, value) {
    _name = name
    _value = value
    _constraints = []
    _determinedBy = null
    _mark = 0
    _walkStrength = WEAKEST
    _stay = true
  }

  name { _name }
  value { _value }
  value=(v) { _value = v }
  constraints { _constraints }
  determinedBy { _determinedBy }
  determinedBy=(c) { _determinedBy = c }
  mark { _mark }
  mark=(m) { _mark = m }
  walkStrength { _walkStrength }
  walkStrength=(s) { _walkStrength = s }
  stay { _stay }
  stay=(s) { _stay = s }

  addConstraint(c) { _constraints.add(c) }

  removeConstraint(c) {
    // Compact the list in place, dropping every occurrence of c.
    var kept = 0
    for (i in 0..._constraints.count) {
      var each = _constraints[i]
      if (each != c) {
        _constraints[kept] = each
        kept = kept + 1
      }
    }
    while (_constraints.count > kept) _constraints.removeAt(-1)
    if (_determinedBy == c) _determinedBy = null
  }
}

// --------------------------------------------------------------------- plans

// An ordered list of constraints to execute to recompute values after an
// input changed.
class Plan {
  construct new() {
    _list = []
  }

  addConstraint(c) { _list.add(c) }
  count { _list.count }

  execute() {
    for (c in _list) c.execute()
  }
}

class Planner {
  construct new() {
    _currentMark = 0
  }

  newMark() {
    _currentMark = _currentMark + 1
    return _currentMark
  }

  // Satisfies c if possible, re-satisfying whatever it overrides in turn.
  incrementalAdd(c) {
    var mark = newMark()
    var overridden = c.satisfy(mark)
    while (overridden != null) overridden = overridden.satisfy(mark)
  }

  // Removes c and tries to satisfy, strongest first, the constraints that
  // were only unsatisfied because of it.
  incrementalRemove(c) {
    var out = c.output
    c.markUnsatisfied()
    c.removeFromGraph()
    var unsatisfied = removePropagateFrom(out)
    var strength = REQUIRED
    while (true) {
      for (u in unsatisfied) {
        if (u.strength == strength) incrementalAdd(u)
      }
      strength = strength.nextWeaker
      if (strength == WEAKEST) break
    }
  }

  // Builds a plan that runs, in dependency order, every constraint
  // downstream of the given sources.
  makePlan(sources) {
    var mark = newMark()
    var plan = Plan.new()
    var todo = sources
    while (todo.count > 0) {
      var c = todo.removeAt(0)
      if (c.output.mark != mark && c.inputsKnown(mark)) {
        plan.addConstraint(c)
        c.output.mark = mark
        addConstraintsConsumingTo(c.output, todo)
      }
    }
    return plan
  }

  extractPlanFromConstraints(constraints) {
    var sources = []
    for (c in constraints) {
      if (c.isInput && c.isSatisfied) sources.add(c)
    }
    return makePlan(sources)
  }

  // Recomputes walk strengths and stay flags downstream of c. Returns false
  // (after undoing c) if that walk comes back to a variable marked in this
  // pass, i.e. there is a cycle.
  addPropagate(c, mark) {
    var todo = [c]
    while (todo.count > 0) {
      var d = todo.removeAt(-1)
      if (d.output.mark == mark) {
        incrementalRemove(c)
        return false
      }
      d.recalculate()
      addConstraintsConsumingTo(d.output, todo)
    }
    return true
  }

  // out is no longer determined by anything: reset it and everything
  // downstream, and collect the unsatisfied constraints met on the way.
  removePropagateFrom(out) {
    out.determinedBy = null
    out.walkStrength = WEAKEST
    out.stay = true
    var unsatisfied = []
    var todo = [out]
    while (todo.count > 0) {
      var v = todo.removeAt(-1)
      for (c in v.constraints) {
        if (!c.isSatisfied) unsatisfied.add(c)
      }
      var determining = v.determinedBy
      for (c in v.constraints) {
        if (c != determining && c.isSatisfied) {
          c.recalculate()
          todo.add(c.output)
        }
      }
    }
    return unsatisfied
  }

  addConstraintsConsumingTo(v, list) {
    var determining = v.determinedBy
    for (c in v.constraints) {
      if (c != determining && c.isSatisfied) list.add(c)
    }
  }
}

// --------------------------------------------------------------------- tests

class DeltaBlue {
  // Returns the sum of the values seen at the end of the chain.
  static chainTest(n) {
    ThePlanner = Planner.new()
    var previous = null
    var first = null
    var last = null

    for (i in 0..n) {
      var v = Variable.new("v%(i)", 0)
      if (previous != null) EqualityConstraint.new(previous, v, REQUIRED)
      if (i == 0) first = v
      if (i == n) last = v
      previous = v
    }

    StayConstraint.new(last, STRONG_DEFAULT)
    var edit = EditConstraint.new(first, PREFERRED)
    var plan = ThePlanner.extractPlanFromConstraints([edit])
    var seen = 0
    for (i in 0...100) {
      first.value = i
      plan.execute()
      if (last.value != i) Fiber.abort("Chain test failed at %(i).")
      seen = seen + last.value
    }
    edit.destroyConstraint()
    return seen
  }

  // Returns a checksum of the destination values after the last change.
  static projectionTest(n) {
    ThePlanner = Planner.new()
    var scale = Variable.new("scale", 10)
    var offset = Variable.new("offset", 1000)
    var source = null
    var destination = null
    var destinations = []

    for (i in 0...n) {
      source = Variable.new("src%(i)", i)
      destination = Variable.new("dst%(i)", i)
      destinations.add(destination)
      StayConstraint.new(source, NORMAL)
      ScaleConstraint.new(source, scale, offset, destination, REQUIRED)
    }

    change(source, 17)
    if (destination.value != 1170) Fiber.abort("Projection 1 failed.")
    change(destination, 1050)
    if (source.value != 5) Fiber.abort("Projection 2 failed.")
    change(scale, 5)
    for (i in 0...n - 1) {
      if (destinations[i].value != i * 5 + 1000) {
        Fiber.abort("Projection 3 failed.")
      }
    }
    change(offset, 2000)
    var sum = 0
    for (i in 0...n - 1) {
      if (destinations[i].value != i * 5 + 2000) {
        Fiber.abort("Projection 4 failed.")
      }
      sum = sum + destinations[i].value
    }
    return sum + source.value + destination.value
  }

  // Sets v to value through an edit constraint, as a user would.
  static change(v, value) {
    var edit = EditConstraint.new(v, PREFERRED)
    var plan = ThePlanner.extractPlanFromConstraints([edit])
    for (i in 0...10) {
      v.value = value
      plan.execute()
    }
    edit.destroyConstraint()
  }
}

var chainTotal = 0
var projectionTotal = 0
for (round in 1..150) {
  chainTotal = chainTotal + DeltaBlue.chainTest(100)
  projectionTotal = projectionTotal + DeltaBlue.projectionTest(100)
}
System.print("chain total: %(chainTotal)")
System.print("projection total: %(projectionTotal)")
