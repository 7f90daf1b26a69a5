"""ui room: The main window: it owns the widgets of the other rooms and the controllers (files, media imports,
exports, generation), menus, toolbar and dialogs."""
