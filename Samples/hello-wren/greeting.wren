class Greeter {
  construct new(name) { _name = name }
  greet(whom) { "Hello, %(whom), from %(_name)!" }
}
