"""ChannelList: the channels by group (Head, Gaze, Blink, Mouth, Expression) with a visibility
check box and a lock per channel; checking a group shows all of its channels."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPixmap
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from talkface_studio.core.channels import CHANNEL_SPECS
from talkface_studio.ui import theme

LOCK_COLUMN = 1


class ChannelList(QTreeWidget):
    def __init__(self, document, session, parent=None):
        super().__init__(parent)
        self.document, self.session = document, session
        self.setHeaderLabels(["Channel", "Lock"])
        header = self.header()
        header.setStretchLastSection(False)  # names get the room, the lock column stays narrow
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        header.setSectionResizeMode(1, header.ResizeMode.Fixed)
        self.setColumnWidth(1, 40)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.items: dict[str, QTreeWidgetItem] = {}
        self.groups: dict[str, QTreeWidgetItem] = {}
        self._syncing = False
        for spec in CHANNEL_SPECS:
            group = self.groups.get(spec.group)
            if group is None:
                group = QTreeWidgetItem(self, [spec.group, ""])
                group.setFlags(group.flags() | Qt.ItemIsAutoTristate | Qt.ItemIsUserCheckable)
                group.setForeground(0, QBrush(QColor(theme.GROUP_COLORS[spec.group])))
                group.setExpanded(spec.group in ("Head", "Mouth", "Blink"))
                self.groups[spec.group] = group
            label = spec.name + (f" ({spec.unit})" if spec.unit else "")
            item = QTreeWidgetItem(group, [label, ""])
            item.setData(0, Qt.UserRole, spec.name)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setToolTip(0, f"{spec.name}: {spec.min:g} .. {spec.max:g} {spec.unit}".strip())
            swatch = QPixmap(10, 10)
            swatch.fill(theme.channel_color(spec.name))  # the legend of the curve editor
            item.setIcon(0, QIcon(swatch))
            self.items[spec.name] = item
        self.itemChanged.connect(self._item_changed)
        session.channels_shown.connect(self.sync)
        document.changed.connect(self._model_changed)
        document.replaced.connect(self.sync)
        self.sync()

    def sync(self) -> None:
        self._syncing = True
        take = self.document.take
        for name, item in self.items.items():
            item.setCheckState(0, Qt.Checked if name in self.session.visible_channels else Qt.Unchecked)
            item.setCheckState(LOCK_COLUMN, Qt.Checked if name in self.session.locked_channels else Qt.Unchecked)
            edited = take is not None and take.channel(name).has_edits()
            font = item.font(0)
            font.setItalic(edited)  # italic = has the artist's edits
            item.setFont(0, font)
        for group in self.groups.values():  # open the groups that have something shown
            if any(group.child(i).checkState(0) == Qt.Checked for i in range(group.childCount())):
                group.setExpanded(True)
        self._syncing = False

    def _model_changed(self, change) -> None:
        if change.kind == "channel":
            self.sync()

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._syncing:
            return
        name = item.data(0, Qt.UserRole)
        if name is None:
            return  # group rows: Qt's tristate already toggled the children
        checked = item.checkState(column) == Qt.Checked
        if column == 0:
            self.session.set_channel_shown(name, visible=checked)
        elif column == LOCK_COLUMN:
            self.session.set_channel_shown(name, locked=checked)
