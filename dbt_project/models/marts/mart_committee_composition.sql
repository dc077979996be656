with

committee_members as (

    select * from {{ ref('stg_submissions__committee_members') }}

),

terms as (

    select * from {{ ref('stg_reference__terms') }}

),

units as (

    select * from {{ ref('stg_reference__units') }}

),

cadres as (

    select * from {{ ref('int_cadres_resolved') }}

),

levels as (

    select * from {{ ref('int_levels_historised') }}

),

-- A committee is measured when it starts: the term's start_date, or the unit's first day
-- for a unit formed during the term (a ward's 2020-2025 committee, from 2025-07-01).
committee_starts as (

    select distinct
        committee_members.unit_code,
        committee_members.term_code,
        case
            when units.valid_from > terms.start_date then units.valid_from
            else terms.start_date
        end as measured_on
    from committee_members
    inner join terms
        on committee_members.term_code = terms.term_code
    left join units
        on committee_members.unit_code = units.unit_code

),

members as (

    select
        committee_members.unit_code,
        committee_members.committee_level,
        committee_members.term_code,
        committee_members.person_key,
        cadres.gender,
        {{ level_at_least('levels.professional_rank', 'chuyen_mon', 'dai_hoc') }}
            as is_university_plus
    from committee_members
    inner join committee_starts
        on committee_members.unit_code = committee_starts.unit_code
            and committee_members.term_code = committee_starts.term_code
    left join cadres
        on committee_members.person_key = cadres.person_key
    left join levels
        on committee_members.person_key = levels.person_key
            and {{ levels_valid_on('levels', 'committee_starts.measured_on') }}

),

committee_counts as (

    select
        unit_code,
        committee_level,
        term_code,
        count(distinct person_key) as members,
        sum(case when is_university_plus then 1 else 0 end) as university_plus_count,
        count(gender) as known_gender_count,
        sum(case when gender = 'nu' then 1 else 0 end) as women_count
    from members
    group by
        unit_code,
        committee_level,
        term_code

),

final as (

    select
        unit_code,
        committee_level,
        term_code,
        cast(members as bigint) as members,
        cast(women_count as double) / nullif(known_gender_count, 0) as share_women,
        cast(university_plus_count as double) / nullif(members, 0) as share_university_plus
    from committee_counts

)

select * from final
