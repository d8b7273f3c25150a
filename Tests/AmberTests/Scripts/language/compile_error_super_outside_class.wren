super.foo() // expect error
