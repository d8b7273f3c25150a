// Method calls: a Toggle flips a boolean each time it is activated; an
// NthToggle (a subclass) only flips every nth activation and calls up to its
// superclass with `super`. Measures dynamic dispatch of getters and methods,
// inherited method lookup, super calls and field access.

class Toggle {
  construct new(state) {
    _state = state
  }

  value { _state }

  activate() {
    _state = !_state
    return this
  }
}

class NthToggle is Toggle {
  construct new(state, limit) {
    super(state)
    _limit = limit
    _count = 0
  }

  activate() {
    _count = _count + 1
    if (_count >= _limit) {
      super.activate()
      _count = 0
    }
    return this
  }
}

var rounds = 800000

var toggle = Toggle.new(true)
var trues = 0
for (i in 1..rounds) {
  if (toggle.activate().value) trues = trues + 1
  if (toggle.activate().value) trues = trues + 1
  if (toggle.activate().value) trues = trues + 1
  if (toggle.activate().value) trues = trues + 1
  if (toggle.activate().value) trues = trues + 1
}
System.print("toggle: %(toggle.value), true results: %(trues)")

var nth = NthToggle.new(true, 3)
trues = 0
for (i in 1..rounds) {
  if (nth.activate().value) trues = trues + 1
  if (nth.activate().value) trues = trues + 1
  if (nth.activate().value) trues = trues + 1
  if (nth.activate().value) trues = trues + 1
  if (nth.activate().value) trues = trues + 1
}
System.print("nth toggle: %(nth.value), true results: %(trues)")
