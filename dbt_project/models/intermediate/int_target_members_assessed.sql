-- Each target's metric decided per person of its population and scope (CONTRACT.md §4).
-- Cadre populations are the people whose period contains the target's reference date,
-- measured on that date; each person is in one unit, so the city row holds the same
-- people as the unit rows. quy_hoach is the planning pool of the target's term: a person
-- planned by several units is in each of them and once in the city row, measured on
-- their earliest decision in that scope. A new target row needs no SQL change; a new
-- metric needs a line below.
with

targets as (

    select * from {{ ref('int_targets_dated') }}

),

populations as (

    select * from {{ ref('int_cadre_populations_mapped') }}

),

planning_decisions as (

    select * from {{ ref('stg_submissions__planning_decisions') }}
    where status = 'approved'

),

titles as (

    select * from {{ ref('stg_reference__titles') }}

),

cadres as (

    select * from {{ ref('int_cadres_resolved') }}

),

levels as (

    select * from {{ ref('int_levels_historised') }}

),

cadre_members as (

    select
        targets.target_code,
        targets.metric,
        targets.reference_date,
        populations.unit_code,
        populations.person_key
    from targets
    inner join populations
        on targets.population = populations.population
            and {{ period_contains('populations', 'targets.reference_date') }}

),

planned_members as (

    select
        targets.target_code,
        targets.metric,
        targets.reference_date,
        planning_decisions.unit_code,
        planning_decisions.person_key,
        planning_decisions.decision_date
    from targets
    inner join planning_decisions
        on targets.term_code = planning_decisions.term_code
    left join titles
        on planning_decisions.title_code = titles.title_code
    where
        targets.population = 'quy_hoach'
        and (targets.title_level is null or titles.title_level = targets.title_level)

),

scoped_members as (

    select
        target_code,
        metric,
        reference_date,
        'unit' as scope,
        unit_code,
        person_key,
        reference_date as measured_on
    from cadre_members

    union all

    select
        target_code,
        metric,
        reference_date,
        'city' as scope,
        cast(null as {{ dbt.type_string() }}) as unit_code,
        person_key,
        reference_date as measured_on
    from cadre_members

    union all

    select
        target_code,
        metric,
        reference_date,
        'unit' as scope,
        unit_code,
        person_key,
        min(decision_date) as measured_on
    from planned_members
    group by
        target_code,
        metric,
        reference_date,
        unit_code,
        person_key

    union all

    select
        target_code,
        metric,
        reference_date,
        'city' as scope,
        cast(null as {{ dbt.type_string() }}) as unit_code,
        person_key,
        min(decision_date) as measured_on
    from planned_members
    group by
        target_code,
        metric,
        reference_date,
        person_key

),

final as (

    select
        scoped_members.target_code,
        scoped_members.scope,
        scoped_members.unit_code,
        scoped_members.person_key,
        scoped_members.reference_date,
        scoped_members.measured_on,
        -- Null when the metric cannot be decided for the person (gender or birth date
        -- unknown): such people leave the denominator. No award means not qualified.
        case scoped_members.metric
            when 'share_postgrad'
                then {{ level_at_least('levels.professional_rank', 'chuyen_mon', 'thac_si') }}
            when 'share_university_plus'
                then {{ level_at_least('levels.professional_rank', 'chuyen_mon', 'dai_hoc') }}
            when 'share_political_advanced'
                then {{ level_at_least('levels.political_rank', 'ly_luan_chinh_tri', 'cao_cap') }}
            when 'share_political_intermediate_plus'
                then {{ level_at_least('levels.political_rank', 'ly_luan_chinh_tri', 'trung_cap') }}
            when 'share_women' then cadres.gender = 'nu'
            when 'share_under_40'
                then {{ younger_than('cadres.birth_date', 'scoped_members.measured_on', 40) }}
        end as meets_metric
    from scoped_members
    left join cadres
        on scoped_members.person_key = cadres.person_key
    left join levels
        on scoped_members.person_key = levels.person_key
            and {{ levels_valid_on('levels', 'scoped_members.measured_on') }}

)

select * from final
