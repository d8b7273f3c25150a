// Fields are private to the class that declares them: a subclass field
// with the same name is a different field.
class Parent {
  construct new() { _value = "parent" }
  parentValue { _value }
}

class Child is Parent {
  construct new() {
    super()
    _value = "child"
  }
  childValue { _value }
}

var c = Child.new()
System.print(c.parentValue) // expect: parent
System.print(c.childValue) // expect: child
