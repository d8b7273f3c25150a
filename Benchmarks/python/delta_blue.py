# DeltaBlue constraint solver; same algorithm, work and output as
# ../wren/delta_blue.wren (see there for a description).


class Strength:
    def __init__(self, value, name):
        self.value = value
        self.name = name

    def next_weaker(self):
        return STRENGTHS[self.value + 1]

    @staticmethod
    def stronger(a, b):
        return a.value < b.value

    @staticmethod
    def weaker(a, b):
        return a.value > b.value

    @staticmethod
    def weakest_of(a, b):
        return a if Strength.weaker(a, b) else b


REQUIRED = Strength(0, "required")
STRONG_PREFERRED = Strength(1, "strongPreferred")
PREFERRED = Strength(2, "preferred")
STRONG_DEFAULT = Strength(3, "strongDefault")
NORMAL = Strength(4, "normal")
WEAK_DEFAULT = Strength(5, "weakDefault")
WEAKEST = Strength(6, "weakest")
STRENGTHS = [REQUIRED, STRONG_PREFERRED, PREFERRED, STRONG_DEFAULT,
             NORMAL, WEAK_DEFAULT, WEAKEST]

NONE, FORWARD, BACKWARD = 0, 1, 2

planner = None


class Constraint:
    def __init__(self, strength):
        self.strength = strength

    def is_input(self):
        return False

    def add_constraint(self):
        self.add_to_graph()
        planner.incremental_add(self)

    def satisfy(self, mark):
        self.choose_method(mark)
        if not self.is_satisfied():
            if self.strength is REQUIRED:
                raise RuntimeError("Could not satisfy a required constraint.")
            return None
        self.mark_inputs(mark)
        out = self.output()
        overridden = out.determined_by
        if overridden is not None:
            overridden.mark_unsatisfied()
        out.determined_by = self
        if not planner.add_propagate(self, mark):
            raise RuntimeError("Cycle encountered.")
        out.mark = mark
        return overridden

    def destroy_constraint(self):
        if self.is_satisfied():
            planner.incremental_remove(self)
        else:
            self.remove_from_graph()


class UnaryConstraint(Constraint):
    def __init__(self, variable, strength):
        super().__init__(strength)
        self.my_output = variable
        self.satisfied = False
        self.add_constraint()

    def add_to_graph(self):
        self.my_output.add_constraint(self)
        self.satisfied = False

    def remove_from_graph(self):
        if self.my_output is not None:
            self.my_output.remove_constraint(self)
        self.satisfied = False

    def choose_method(self, mark):
        self.satisfied = (self.my_output.mark != mark and
                          Strength.stronger(self.strength, self.my_output.walk_strength))

    def is_satisfied(self):
        return self.satisfied

    def mark_unsatisfied(self):
        self.satisfied = False

    def mark_inputs(self, mark):
        pass

    def inputs_known(self, mark):
        return True

    def output(self):
        return self.my_output

    def recalculate(self):
        self.my_output.walk_strength = self.strength
        self.my_output.stay = not self.is_input()
        if self.my_output.stay:
            self.execute()


class StayConstraint(UnaryConstraint):
    def execute(self):
        pass


class EditConstraint(UnaryConstraint):
    def is_input(self):
        return True

    def execute(self):
        pass


class BinaryConstraint(Constraint):
    def __init__(self, v1, v2, strength):
        super().__init__(strength)
        self.v1 = v1
        self.v2 = v2
        self.direction = NONE
        self.add_constraint()

    def add_to_graph(self):
        self.v1.add_constraint(self)
        self.v2.add_constraint(self)
        self.direction = NONE

    def remove_from_graph(self):
        if self.v1 is not None:
            self.v1.remove_constraint(self)
        if self.v2 is not None:
            self.v2.remove_constraint(self)
        self.direction = NONE

    def choose_method(self, mark):
        v1, v2 = self.v1, self.v2
        if v1.mark == mark:
            if v2.mark != mark and Strength.stronger(self.strength, v2.walk_strength):
                self.direction = FORWARD
            else:
                self.direction = NONE
            return
        if v2.mark == mark:
            if v1.mark != mark and Strength.stronger(self.strength, v1.walk_strength):
                self.direction = BACKWARD
            else:
                self.direction = NONE
            return
        if Strength.weaker(v1.walk_strength, v2.walk_strength):
            self.direction = BACKWARD if Strength.stronger(self.strength, v1.walk_strength) else NONE
        else:
            self.direction = FORWARD if Strength.stronger(self.strength, v2.walk_strength) else NONE

    def is_satisfied(self):
        return self.direction != NONE

    def mark_unsatisfied(self):
        self.direction = NONE

    def input(self):
        return self.v1 if self.direction == FORWARD else self.v2

    def output(self):
        return self.v2 if self.direction == FORWARD else self.v1

    def mark_inputs(self, mark):
        self.input().mark = mark

    def inputs_known(self, mark):
        source = self.input()
        return source.mark == mark or source.stay or source.determined_by is None

    def recalculate(self):
        source = self.input()
        target = self.output()
        target.walk_strength = Strength.weakest_of(self.strength, source.walk_strength)
        target.stay = source.stay
        if target.stay:
            self.execute()


class ScaleConstraint(BinaryConstraint):
    def __init__(self, source, scale, offset, destination, strength):
        self.scale = scale
        self.offset = offset
        super().__init__(source, destination, strength)

    def add_to_graph(self):
        super().add_to_graph()
        self.scale.add_constraint(self)
        self.offset.add_constraint(self)

    def remove_from_graph(self):
        super().remove_from_graph()
        if self.scale is not None:
            self.scale.remove_constraint(self)
        if self.offset is not None:
            self.offset.remove_constraint(self)

    def mark_inputs(self, mark):
        super().mark_inputs(mark)
        self.scale.mark = mark
        self.offset.mark = mark

    def execute(self):
        if self.direction == FORWARD:
            self.v2.value = self.v1.value * self.scale.value + self.offset.value
        else:
            self.v1.value = (self.v2.value - self.offset.value) / self.scale.value

    def recalculate(self):
        source = self.input()
        target = self.output()
        target.walk_strength = Strength.weakest_of(self.strength, source.walk_strength)
        target.stay = source.stay and self.scale.stay and self.offset.stay
        if target.stay:
            self.execute()


class EqualityConstraint(BinaryConstraint):
    def execute(self):
        if self.direction == FORWARD:
            self.v2.value = self.v1.value
        else:
            self.v1.value = self.v2.value


class Variable:
    def __init__(self, name, value):
        self.name = name
        self.value = value
        self.constraints = []
        self.determined_by = None
        self.mark = 0
        self.walk_strength = WEAKEST
        self.stay = True

    def add_constraint(self, c):
        self.constraints.append(c)

    def remove_constraint(self, c):
        constraints = self.constraints
        kept = 0
        for each in constraints:
            if each is not c:
                constraints[kept] = each
                kept += 1
        del constraints[kept:]
        if self.determined_by is c:
            self.determined_by = None


class Plan:
    def __init__(self):
        self.list = []

    def add_constraint(self, c):
        self.list.append(c)

    def execute(self):
        for c in self.list:
            c.execute()


class Planner:
    def __init__(self):
        self.current_mark = 0

    def new_mark(self):
        self.current_mark += 1
        return self.current_mark

    def incremental_add(self, c):
        mark = self.new_mark()
        overridden = c.satisfy(mark)
        while overridden is not None:
            overridden = overridden.satisfy(mark)

    def incremental_remove(self, c):
        out = c.output()
        c.mark_unsatisfied()
        c.remove_from_graph()
        unsatisfied = self.remove_propagate_from(out)
        strength = REQUIRED
        while True:
            for u in unsatisfied:
                if u.strength is strength:
                    self.incremental_add(u)
            strength = strength.next_weaker()
            if strength is WEAKEST:
                break

    def make_plan(self, sources):
        mark = self.new_mark()
        plan = Plan()
        todo = sources
        while todo:
            c = todo.pop(0)
            if c.output().mark != mark and c.inputs_known(mark):
                plan.add_constraint(c)
                c.output().mark = mark
                self.add_constraints_consuming_to(c.output(), todo)
        return plan

    def extract_plan_from_constraints(self, constraints):
        sources = [c for c in constraints if c.is_input() and c.is_satisfied()]
        return self.make_plan(sources)

    def add_propagate(self, c, mark):
        todo = [c]
        while todo:
            d = todo.pop()
            if d.output().mark == mark:
                self.incremental_remove(c)
                return False
            d.recalculate()
            self.add_constraints_consuming_to(d.output(), todo)
        return True

    def remove_propagate_from(self, out):
        out.determined_by = None
        out.walk_strength = WEAKEST
        out.stay = True
        unsatisfied = []
        todo = [out]
        while todo:
            v = todo.pop()
            for c in v.constraints:
                if not c.is_satisfied():
                    unsatisfied.append(c)
            determining = v.determined_by
            for c in v.constraints:
                if c is not determining and c.is_satisfied():
                    c.recalculate()
                    todo.append(c.output())
        return unsatisfied

    def add_constraints_consuming_to(self, v, coll):
        determining = v.determined_by
        for c in v.constraints:
            if c is not determining and c.is_satisfied():
                coll.append(c)


def chain_test(n):
    global planner
    planner = Planner()
    previous = first = last = None
    for i in range(n + 1):
        v = Variable(f"v{i}", 0)
        if previous is not None:
            EqualityConstraint(previous, v, REQUIRED)
        if i == 0:
            first = v
        if i == n:
            last = v
        previous = v
    StayConstraint(last, STRONG_DEFAULT)
    edit = EditConstraint(first, PREFERRED)
    plan = planner.extract_plan_from_constraints([edit])
    seen = 0
    for i in range(100):
        first.value = i
        plan.execute()
        if last.value != i:
            raise RuntimeError(f"Chain test failed at {i}.")
        seen += last.value
    edit.destroy_constraint()
    return seen


def change(v, value):
    edit = EditConstraint(v, PREFERRED)
    plan = planner.extract_plan_from_constraints([edit])
    for _ in range(10):
        v.value = value
        plan.execute()
    edit.destroy_constraint()


def projection_test(n):
    global planner
    planner = Planner()
    scale = Variable("scale", 10)
    offset = Variable("offset", 1000)
    source = destination = None
    destinations = []
    for i in range(n):
        source = Variable(f"src{i}", i)
        destination = Variable(f"dst{i}", i)
        destinations.append(destination)
        StayConstraint(source, NORMAL)
        ScaleConstraint(source, scale, offset, destination, REQUIRED)
    change(source, 17)
    if destination.value != 1170:
        raise RuntimeError("Projection 1 failed.")
    change(destination, 1050)
    if source.value != 5:
        raise RuntimeError("Projection 2 failed.")
    change(scale, 5)
    for i in range(n - 1):
        if destinations[i].value != i * 5 + 1000:
            raise RuntimeError("Projection 3 failed.")
    change(offset, 2000)
    total = 0
    for i in range(n - 1):
        if destinations[i].value != i * 5 + 2000:
            raise RuntimeError("Projection 4 failed.")
        total += destinations[i].value
    return total + source.value + destination.value


def main():
    chain_total = 0
    projection_total = 0
    for _ in range(150):
        chain_total += chain_test(100)
        projection_total += projection_test(100)
    # Division in ScaleConstraint makes some values floats; print them as
    # integers, as Wren does for integral numbers.
    print(f"chain total: {int(chain_total)}")
    print(f"projection total: {int(projection_total)}")


main()
