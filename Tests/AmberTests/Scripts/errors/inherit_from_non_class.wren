var NotAClass = "a string"
class Sub is NotAClass {} // expect runtime error: Class 'Sub' cannot inherit from a non-class object.
