var user
System.print(user) // expect: null
System.print(user.name) // expect runtime error: Null does not implement 'name'.
