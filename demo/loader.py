"""Load the demo data from the YAML files of a fixture folder, all of it or nothing.

The files are written and read by people, so they are plain YAML with an obvious shape, and the
loader names the file and the item of every error it finds. Loading again updates in place by
natural keys (organisation, unit and role slugs, level names, duty texts, emails, asset tags,
usernames): it never duplicates.

A *matrix file* (kuopio.yaml, paijat-hame.yaml, lahti.yaml…) describes one organisation's
matrix:

    organisation:
      name: Kuopion kaupunki
      slug: kuopio
      kind: municipality              # region, municipality, joint_authority, service_provider
      year_kind: school               # school (1.8.–31.7., the default) or calendar
      parent: paijat-hame             # optional: a region from a file with no parent
      language: fi                    # fi (the default), sv or bilingual: see below
    levels:                           # in the matrix's order
      - name: Hallinto- ja tukipalveluiden taso
        roles:                        # in the matrix's order
          - name: Koulun johto
            slug: koulun-johto        # unique in the organisation
            scope: unit               # unit (the default) or organisation
            sectors: [perusopetus, lukio]         # none: every sector
            named_holders: false      # for groups nobody is named to: staff, pupils, guardians
            is_group: true            # a working group or network: members from any
                                      # organisation, one of them the chair
            responsible_title: rehtori
            supporting_titles: [koulun apulaisrehtori, koulun digitiimi]
            supporting_roles: [pedagoginen-tuki]  # slugs of roles of this or a parent matrix
            unit_permissions: [view_unit, manage_assignments, manage_devices]
            duties:
              - Vastaamme koulun laiterekisterin ajantasaisuudesta.   # a duty is a text…
              - text: Osallistuminen digitutorkokouksiin              # …or a text with details
                sectors: [perusopetus]            # some of the role's; none: all of them
                recurrence: n. 3–4 krt/lukuvuodessa
                months: [9, 11, 2, 4]             # for the annual clock
                together_with: [rehtori]          # collaborating roles, by slug
                area: competence                  # competence, infrastructure, services, content

A role's duties are exactly the ones its file lists: a duty the file no longer lists is removed.

Texts may come in Swedish too, each under its key with `_sv`: a level's or role's `name_sv`, a
role's `responsible_title_sv` and `supporting_titles_sv` (a list), and a duty written as a
mapping its `text_sv` and `recurrence_sv` (rannikyla.yaml has them all). Swedish pages show the
Swedish text and fall back to the Finnish one. The organisation's `language` is what its editors
are asked for in the admin: Finnish, Swedish, or both for a bilingual one.

    levels:
      - name: Toimintayksiköt
        name_sv: Verksamhetsenheter
        roles:
          - name: Rehtori
            name_sv: Rektor
            slug: rehtori
            responsible_title: rehtori
            responsible_title_sv: rektor
            supporting_titles: [apulaisrehtori]
            supporting_titles_sv: [biträdande rektor]
            duties:
              - text: Nimeämme yksikön digitutorin lukuvuoden alussa.
                text_sv: Vi utser enhetens digitutor i början av läsåret.
                recurrence: 1 krt/lukuvuosi
                recurrence_sv: 1 gång/läsår

The *directory file* (demo.yaml) holds invented units, people, devices and logins:

    organisations:
      kuopio:                         # defined by a matrix file
        units:
          - name: Kivikallion koulu
            slug: kivikallion-koulu
            sectors: [perusopetus]
            carts:
              - {name: Vaunu 1, slots: 8, location: luokka 204}
            devices:
              - asset_tag: KUO-00004
                category: teacher_laptop          # see devices.models.Device.Category
                serial_number: PF3TQ8A1
                manufacturer: Lenovo
                model: ThinkPad L14 Gen 3
                status: in_use                    # see Device.Status; in_stock by default
                use: staff                        # staff (default), pupil or shared
                holder: sanna.tervo@example.fi    # optional: a person of this organisation…
                # pupil_code: 7A-014              # …or a pupil's pseudonymous code, never a name
                billed_monthly: true
                monthly_cost: 32.50
                last_seen_days_ago: 2             # dates are relative to the day of loading:
                # lease_ends_in_days: 50          # ownership: leased needs this
                # fault_days_ago: 21              # with fault_ticket: an open fault
                # cart: Vaunu 1                   # with slot: a place in a cart of this unit
                # number, location, notes         # the school's number, the room, free text
        people:
          - name: Sanna Tervo
            title: rehtori
            email: sanna.tervo@example.fi
            holds:
              - {role: koulun-johto, unit: kivikallion-koulu}
              - {role: tietohallinto}             # an organisation-scoped role
              - {role: koulun-johto, unit: jarvitorin-lukio, lead: false}
              - {role: digiryhma, chair: true}    # a group's chair (is_group roles only)
              - {role: kirjastot/digitutorverkosto}   # "organisation-slug/role-slug": a role
                                                      # of an organisation outside this one's chain
    logins:
      - {username: admin, password: vastuu-admin, superuser: true}
      - username: rehtori
        password: vastuu-rehtori
        person: sanna.tervo@example.fi
        unit_permissions: {kivikallion-koulu: [view_unit, manage_devices]}
      - {username: kuopio-admin, password: vastuu-kuopio-admin, administers: kuopio}
                                  # an organisation's administrator in the admin

A role is named by its slug when it belongs to the person's organisation or one above it, and
as "organisation-slug/role-slug" otherwise. Without a unit, a role is held in the person's
organisation, except a group's role (`is_group`) and a role named with its organisation: those are
held in the role's own organisation, so that the members from every organisation make one group
(a region's ICT group, the libraries' digitutor network) with at most one chair.

The directory file may also hold `action_plans:` and `groups:` (a group's funding and meetings),
described in demo/plans.py, and `networks:`, each a network organisation with the member
organisations it gathers beside the parent tree:

    networks:
      - {network: kirjastot, members: [kuopio, lahti, heinola, hollola]}

Logins have known passwords, so they are loaded only when the caller asks for them.
"""

from django.db import transaction

from .common import FixtureError, Report, Where, items, read_yaml
from .directory import load_directory
from .logins import load_logins
from .matrices import load_matrix
from .plans import load_group_means, load_plans


@transaction.atomic
def load_demo(*, folder, with_logins):
    """Load every *.yaml file in `folder`: matrices first, then the directory; return a Report."""
    report = Report()
    matrices, directories = [], []
    for path in sorted(folder.glob("*.yaml")):
        where = Where(f"{folder.name}/{path.name}")
        data = read_yaml(path, where)
        if not isinstance(data, dict):
            raise where.error("expected 'organisation' and 'levels', or 'organisations'")
        (matrices if "organisation" in data else directories).append((where, data))
    if not matrices:
        raise FixtureError(f"{folder.name}/ has no matrix file ('organisation:') to load")
    # A municipality can name its region as its parent, so files without a parent load first.
    matrices.sort(key=lambda document: _has_parent(document[1]))
    for where, data in matrices:
        load_matrix(data, where, report)
        report.files.append(where.file)
    for where, data in directories:
        load_directory(data, where, report)
        load_plans(items(data, "action_plans", where), where / "action_plans", report)
        load_group_means(items(data, "groups", where), where / "groups", report)
        if with_logins:
            load_logins(items(data, "logins", where), where / "logins", report)
        elif data.get("logins"):
            report.logins_skipped = True
        report.files.append(where.file)
    return report


def _has_parent(data):
    """Return whether the matrix file `data` names a parent organisation."""
    organisation = data.get("organisation")
    return isinstance(organisation, dict) and bool(organisation.get("parent"))
