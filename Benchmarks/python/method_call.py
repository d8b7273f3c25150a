# Toggle / NthToggle method calls; same work and output as
# ../wren/method_call.wren.


class Toggle:
    def __init__(self, state):
        self._state = state

    @property
    def value(self):
        return self._state

    def activate(self):
        self._state = not self._state
        return self


class NthToggle(Toggle):
    def __init__(self, state, limit):
        super().__init__(state)
        self._limit = limit
        self._count = 0

    def activate(self):
        self._count += 1
        if self._count >= self._limit:
            super().activate()
            self._count = 0
        return self


def show(flag):
    return "true" if flag else "false"


def main():
    rounds = 800000

    toggle = Toggle(True)
    trues = 0
    for _ in range(rounds):
        if toggle.activate().value: trues += 1
        if toggle.activate().value: trues += 1
        if toggle.activate().value: trues += 1
        if toggle.activate().value: trues += 1
        if toggle.activate().value: trues += 1
    print(f"toggle: {show(toggle.value)}, true results: {trues}")

    nth = NthToggle(True, 3)
    trues = 0
    for _ in range(rounds):
        if nth.activate().value: trues += 1
        if nth.activate().value: trues += 1
        if nth.activate().value: trues += 1
        if nth.activate().value: trues += 1
        if nth.activate().value: trues += 1
    print(f"nth toggle: {show(nth.value)}, true results: {trues}")


main()
