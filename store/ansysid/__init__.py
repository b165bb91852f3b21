"""The AnsysID API's store: accounts, users, roles, groups, activities and sign-in data."""
